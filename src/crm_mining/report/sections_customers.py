"""Report sections on the customers: RFM and segments."""

from __future__ import annotations

import pandas as pd

from crm_mining.report import charts, queries
from crm_mining.report.model import Figure, Section, Table, count, money, number, share
from crm_mining.report.source import MartSource, absent, as_floats


def rfm_grid(cells: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Every cell of the `bins` x `bins` grid of R and F scores, in order (r_score, f_score):
    the customers and spend of `cells` (one row per cell that has customers), 0 elsewhere."""
    scores = range(1, bins + 1)
    grid = pd.MultiIndex.from_product([scores, scores], names=["r_score", "f_score"])
    measures = ["customer_count", "monetary"]
    return (
        cells.astype({"r_score": "int64", "f_score": "int64"})
        .set_index(["r_score", "f_score"])[measures]
        .reindex(grid, fill_value=0.0)
        .reset_index()
    )


def _empty_scores(grid: pd.DataFrame, bins: int) -> list[str]:
    """The R and F scores no customer has, as 'R 2', 'F 3'."""
    return [
        f"{axis} {score}"
        for axis, column in [("R", "r_score"), ("F", "f_score")]
        for score in range(1, bins + 1)
        if grid.loc[grid[column] == score, "customer_count"].sum() == 0
    ]


def rfm_section(source: MartSource) -> Section:
    """R x F grid (customers and spend per cell), named RFM segments, value tiers."""
    section = Section(
        "rfm",
        "RFM: recency, frequency, monetary value",
        "Top right of the grid (R 5, F 5) are recent, frequent buyers; bottom left, customers "
        "who bought once, long ago. Segments name regions of that grid.",
    )
    if not source.has(queries.RFM):
        section.empty = absent(queries.RFM)
        return section
    grid = as_floats(source.frame(queries.sql("rfm_grid")), "monetary", "customer_count")
    if grid.empty:
        section.empty = "No customer has a purchase order: RFM has no row."
        return section
    section.facts.append(("customers scored", count(grid["customer_count"].sum())))
    bins = int(source.scalar(queries.sql("rfm_bins")))
    grid = rfm_grid(grid, bins)
    empty = _empty_scores(grid, bins)
    if empty:  # a note, not a caption: the grid keeps its place beside the segments
        section.notes.append(
            f"The R x F grid shows every score from 1 to {bins}, but no customer scores "
            f"{', '.join(empty)}: customers with equal values share the score of the lowest "
            "of their ranks, so when most customers have one order, say, the next value "
            "already scores high (docs/rfm.md)."
        )
    section.add(
        Figure("rfm-grid", "Customers and net spend per R x F cell", charts.rfm_grids(grid, bins))
    )
    segments = as_floats(source.frame(queries.sql("rfm_segments")), "monetary")
    section.add(
        Figure(
            "rfm-segments",
            "Customers per named RFM segment",
            charts.hbar(segments, "rfm_segment", "customer_count", value_title="customers"),
        )
    )
    total = float(segments["monetary"].sum()) or 1.0
    section.add(
        Table(
            "rfm-segments",
            [
                "RFM segment",
                "customers",
                "net spend",
                "share of spend",
                "avg days since last",
                "avg orders",
            ],
            [
                [
                    r.rfm_segment,
                    count(r.customer_count),
                    money(r.monetary),
                    share(r.monetary / total),
                    number(r.avg_recency_days, 0),
                    number(r.avg_frequency, 1),
                ]
                for r in segments.itertuples()
            ],
        )
    )
    tiers = as_floats(source.frame(queries.sql("value_tiers")), "monetary")
    tier_colors = {"high": "#1f618d", "medium": "#5dade2", "low": "#aed6f1"}
    section.add(
        Figure(
            "rfm-tiers",
            "Net spend per value tier",
            charts.hbar(
                tiers,
                "value_tier",
                "monetary",
                value_title="net spend",
                value_format=".3~s",
                color="value_tier",
                colors=tier_colors,
            ),
            caption=", ".join(
                f"{r.value_tier}: {count(r.customer_count)} customers" for r in tiers.itertuples()
            ),
        )
    )
    section.items.sort(key=lambda item: isinstance(item, Table))  # charts first, side by side
    return section


#: Persona columns shown in the profile, with their label (absent columns are skipped).
PROFILE_FEATURES = {
    "avg_recency_days": "days since last order",
    "avg_frequency": "orders",
    "avg_monetary": "net spend",
    "avg_order_value": "order value",
    "avg_tenure_days": "days as customer",
    "avg_days_between_orders": "days between orders",
    "avg_basket_units": "units per order",
    "avg_distinct_categories": "categories bought",
    "avg_share_spend_returned": "share of spend returned",
    "top_category_spend_share": "spend in top category",
    "avg_churn_probability": "churn probability",
    "avg_review_sentiment": "review sentiment",
}


def _profile(personas: pd.DataFrame) -> pd.DataFrame:
    """Long frame persona x feature: index = segment mean / customer-weighted mean of all."""
    weights = personas["customer_count"].astype("float64")
    rows = []
    for column, label in PROFILE_FEATURES.items():
        if column not in personas or personas[column].isna().all():
            continue
        values = personas[column].astype("float64")
        known = values.notna()
        overall = float((values[known] * weights[known]).sum() / weights[known].sum())
        for persona, value in zip(personas["persona_name"], values, strict=True):
            if pd.isna(value):
                continue
            index = value / overall if overall > 0 and value > 0 else None
            digits = 2 if abs(value) < 10 else 0
            rows.append(
                {
                    "persona": persona,
                    "feature": label,
                    "index": index,
                    "label": f"{value:,.{digits}f}",
                }
            )
    return pd.DataFrame(rows, columns=["persona", "feature", "index", "label"])


def segments_section(source: MartSource) -> Section:
    """Size and persona of each behavioural segment, profiles side by side, choice of k."""
    section = Section(
        "segments",
        "Behavioural segments",
        "Each column is a segment: red cells are well above the average customer, blue well "
        "below; the number is the segment's own average.",
    )
    if not source.has(queries.PERSONAS):
        section.empty = absent(queries.PERSONAS)
        return section
    personas = source.frame(queries.sql("personas"))
    if personas.empty:
        section.empty = "No customer could be segmented (no customer has a purchase order)."
        return section
    section.facts.append(("segments", count(len(personas))))
    section.add(
        Figure(
            "segments-sizes",
            "Customers per segment",
            charts.hbar(
                personas[["persona_name", "customer_count"]],
                "persona_name",
                "customer_count",
                value_title="customers",
            ),
        )
    )
    section.add(
        Table(
            "segments-personas",
            ["segment", "persona", "customers", "share", "who they are"],
            [
                [
                    str(r.segment_id),
                    r.persona_name,
                    count(r.customer_count),
                    share(r.customer_share),
                    r.persona_description,
                ]
                for r in personas.itertuples()
            ],
        )
    )
    profile = _profile(personas)
    if len(profile):
        section.add(
            Figure(
                "segments-profiles",
                "Segment profiles side by side",
                charts.profile_heatmap(profile),
            )
        )
    if source.has(queries.SEGMENT_METRICS):
        metrics = source.frame(queries.sql("k_selection"))
        evaluated = metrics[metrics["is_k_evaluated"].fillna(False).astype(bool)]
        chosen = metrics.loc[metrics["is_chosen_k"].fillna(False).astype(bool), "k"]
        if len(chosen):
            section.facts.append(("chosen k", count(chosen.iloc[0])))
        if len(evaluated) > 1:
            columns = ["k", "silhouette", "sample_inertia", "is_chosen_k"]
            evaluated = as_floats(evaluated[columns], "silhouette", "sample_inertia")
            section.add(
                Figure(
                    "segments-k",
                    "How k was chosen",
                    charts.k_choice(evaluated),
                    caption="k-means on a sample for each k; the chosen k has the best "
                    "silhouette (see docs/segments.md).",
                )
            )
        reasons = metrics["fallback_reason"].dropna().unique()
        section.notes += [f"Segmentation fallback: {reason}" for reason in reasons]
    return section
