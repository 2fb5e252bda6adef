"""Report sections on the data and the customers: data, RFM, segments."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_mining.report import charts, queries
from crm_mining.report.model import Figure, Section, Table, count, day, money, number, share
from crm_mining.report.source import MartSource


def as_floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The numeric columns used, as float64 (money may arrive as DECIMAL)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype("float64")
    return frame


#: Marts whose as_of_date column gives the report's analysis date, in order of preference.
AS_OF_DATE_MARTS = [queries.RFM, queries.CHURN_METRICS, queries.CUSTOMER_SEGMENTS]


def as_of_day(source: MartSource) -> dt.date | None:
    """The analysis date of the build (every mart that has the column holds the same); None
    when no mart carries it."""
    for mart in AS_OF_DATE_MARTS:
        if "as_of_date" in source.columns(mart):
            value = source.scalar(queries.as_of_date(mart))
            if value is not None:
                return pd.Timestamp(value).date()
    return None


def as_of_date(source: MartSource) -> str:
    """The analysis date of the build as text."""
    value = as_of_day(source)
    return day(value) if value is not None else "unknown (no mart with an as_of_date)"


def every_month(months: pd.DataFrame, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """`months` (one row per calendar month with orders, its first day in `month`) with a row of
    zeros for every month from `first_day`'s to `last_day`'s that has none, in order: a month
    without orders is a month of the data, drawn at 0, not left out of the chart."""
    calendar = pd.date_range(
        pd.Timestamp(first_day).to_period("M").to_timestamp(),
        pd.Timestamp(last_day).to_period("M").to_timestamp(),
        freq="MS",
    )
    calendar = calendar.union(pd.DatetimeIndex(months["month"]))
    return (
        months.set_index("month").reindex(calendar, fill_value=0).rename_axis("month").reset_index()
    )


def months_covered(months: pd.DataFrame, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """`months` (one row per calendar month, its first day in `month`) with how much of each
    month the data covers, the data covering every day from `first_day` to `last_day`:
    days_in_month, days_covered, is_partial (fewer days covered than the month has: a first
    month the data starts after the first day of, a last month it ends before the last day
    of), bounds ('' for a whole month, else 'through 2011-12-09', 'from 2023-01-02' or
    '2010-12-03 to 2010-12-07') and coverage ('whole month', or e.g. '9 of 31 days, through
    2011-12-09')."""
    frame = months.copy()
    starts = pd.to_datetime(frame["month"])
    ends = starts + pd.offsets.MonthEnd(0)
    covered_from = starts.clip(lower=pd.Timestamp(first_day))
    covered_to = ends.clip(upper=pd.Timestamp(last_day))
    frame["days_in_month"] = starts.dt.days_in_month
    frame["days_covered"] = (covered_to - covered_from).dt.days + 1
    frame["is_partial"] = frame["days_covered"] < frame["days_in_month"]
    bounds, coverage = [], []
    for row, start, end in zip(frame.itertuples(), covered_from, covered_to, strict=True):
        if not row.is_partial:
            bounds.append("")
            coverage.append("whole month")
            continue
        starts_late, ends_early = start.day > 1, end.day < row.days_in_month
        if starts_late and ends_early:
            text = f"{day(start)} to {day(end)}"
        else:
            text = f"from {day(start)}" if starts_late else f"through {day(end)}"
        bounds.append(text)
        coverage.append(f"{row.days_covered} of {row.days_in_month} days, {text}")
    frame["bounds"] = bounds
    frame["coverage"] = coverage
    return frame


def absent(mart: str) -> str:
    return f"The mart {mart} is not in this warehouse: build the project (`make build`) first."


def data_section(source: MartSource) -> Section:
    """Rows read / kept / left out per input, date range, as_of_date, customers, orders,
    revenue by month."""
    section = Section(
        "data",
        "Data",
        "Every input row is either kept or left out with a reason; the months show what the "
        "analysis covers.",
    )
    if source.has(queries.RECONCILIATION):
        reconciliation = source.frame(queries.sql("reconciliation"))
        present = reconciliation[reconciliation["rows_read"] > 0]
        section.add(
            Table(
                "data-reconciliation",
                ["input", "rows read", "kept", "duplicate", "rejected", "after as_of_date"],
                [
                    [
                        row.input_name,
                        count(row.rows_read),
                        count(row.rows_kept),
                        count(row.rows_duplicate),
                        count(row.rows_rejected),
                        count(row.rows_after_as_of_date),
                    ]
                    for row in present.itertuples()
                ],
                "Rows read = kept + duplicate + rejected + after as_of_date (dated on or after "
                "the analysis date, left out), for every input file.",
            )
        )
        missing = list(reconciliation.loc[reconciliation["rows_read"] == 0, "input_name"])
        if missing:
            section.notes.append("Inputs absent or empty: " + ", ".join(missing) + ".")
    if source.has(queries.REJECTED_ROWS):
        left_out = source.frame(queries.sql("rows_left_out"))
        if len(left_out):
            # duplicates and rows after as_of_date by their status, rejections by their column
            left_out["reason"] = left_out["row_status"].where(
                left_out["row_status"] != "rejected", left_out["rejected_column"]
            )
            section.add(
                Figure(
                    "data-left-out",
                    "Rows left out, per input and column at fault",
                    charts.stacked_hbar(
                        left_out, "input_name", "row_count", "reason", value_title="rows left out"
                    ),
                )
            )
            reasons = source.frame(queries.sql("rejection_reasons"))
            if len(reasons):
                section.add(
                    Table(
                        "data-reasons",
                        ["input", "reason", "rows", "example"],
                        [
                            [r.input_name, r.reason, count(r.row_count), r.example_key]
                            for r in reasons.itertuples()
                        ],
                        "Most frequent rejection reasons (audit_rejected_rows).",
                    )
                )
        else:
            section.notes.append("No input row was rejected or dropped as a duplicate.")
    if not source.has(queries.ORDERS):
        section.empty = absent(queries.ORDERS)
        return section
    overview = source.frame(queries.sql("order_overview")).iloc[0]
    section.facts += [
        ("orders", count(overview["order_count"])),
        ("purchase orders", count(overview["purchase_order_count"])),
        ("guest orders", count(overview["guest_order_count"])),
        ("first order", day(overview["first_order_date"])),
        ("last order", day(overview["last_order_date"])),
        ("as_of_date", as_of_date(source)),
        ("net revenue", money(overview["net_revenue"])),
    ]
    if source.has(queries.CUSTOMERS):
        customers = source.frame(queries.sql("customer_overview")).iloc[0]
        section.facts += [
            ("customers", count(customers["customer_count"])),
            ("customers with a purchase", count(customers["purchasing_customer_count"])),
        ]
    months = source.frame(queries.sql("revenue_by_month"))
    if len(months):
        months = as_floats(months, "net_revenue", "purchasing_customer_count")
        months["month"] = pd.to_datetime(months["month"])
        # The data covers the days from the first order to the day before as_of_date (the
        # last order date unless the var as_of_date was set later; without a mart that
        # carries as_of_date, the last order date).
        as_of = as_of_day(source)
        first_day = pd.Timestamp(overview["first_order_date"]).date()
        last_day = (
            as_of - dt.timedelta(days=1)
            if as_of is not None
            else pd.Timestamp(overview["last_order_date"]).date()
        )
        months = months_covered(every_month(months, first_day, last_day), first_day, last_day)
        partial = months[months["is_partial"]]
        caption = (
            "Customers with a purchase: at least one purchase order in the month (returns or "
            "cancellations alone do not count)."
        )
        without_orders = months[months["order_count"] == 0]
        if len(without_orders):
            caption += (
                " Months without any order, drawn at 0: "
                + ", ".join(f"{month:%Y-%m}" for month in without_orders["month"])
                + "."
            )
        if len(partial):
            caption += (
                f" The data covers {day(first_day)} to {day(last_day)}; lighter, dashed bars "
                "and hollow points are months covered in part, their totals those of the days "
                "covered: "
                + "; ".join(f"{row.month:%Y-%m} ({row.coverage})" for row in partial.itertuples())
                + "."
            )
        section.add(
            Figure(
                "data-months",
                "Net revenue and customers with a purchase per month",
                charts.monthly(months),
                caption=caption,
            )
        )
        section.items.sort(key=lambda item: item.key != "data-months")  # what is analysed first
    else:
        section.empty = "No order was kept: there is nothing to analyse."
    return section


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
