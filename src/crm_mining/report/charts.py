"""Every chart of the report: Vega-Lite specs built with altair, rendered to inline SVG.

Each builder takes a small aggregated frame (see crm_mining.report.queries) and returns the
Vega-Lite spec as a dict; `render_svg` turns a spec into SVG with vl-convert (no browser, no
network), with its element ids made unique so that many charts can share one HTML page.
"""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

WIDTH = 560
BAR_STEP = 22
#: Plot width of bar charts, so that two fit side by side on a wide page.
NARROW = 300
RISK_COLORS = {"high": "#c0392b", "medium": "#e67e22", "low": "#2e86c1"}
SENTIMENT_COLORS = {"positive": "#27ae60", "neutral": "#95a5a6", "negative": "#c0392b"}
ACCENT = "#2e86c1"
HIGHLIGHT = "#c0392b"

Spec = dict[str, Any]


def _spec(chart: alt.TopLevelMixin) -> Spec:
    """The chart's Vega-Lite spec with the report's look."""
    configured = chart.configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=11, labelLimit=260
    )
    # Validated by vl-convert when rendered; altair's own schema check costs seconds.
    return configured.to_dict(validate=False)


def _scale(colors: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def hbar(
    frame: pd.DataFrame,
    category: str,
    value: str,
    *,
    value_title: str,
    category_title: str = "",
    value_format: str = ",.0f",
    color: str | None = None,
    colors: dict[str, str] | None = None,
) -> Spec:
    """Horizontal bars, one per row in frame order, labelled with their value."""
    order = list(frame[category])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=order, title=category_title or None),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
    )
    if color and colors:
        fill = alt.Color(f"{color}:N", scale=_scale(colors), legend=None)
        bars = base.mark_bar().encode(color=fill)
    else:
        bars = base.mark_bar(color=ACCENT)
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=value_format)
    )
    height = max(BAR_STEP * len(frame), 40)
    return _spec((bars + labels).properties(width=NARROW, height=height))


def stacked_hbar(
    frame: pd.DataFrame, category: str, value: str, stack: str, *, value_title: str
) -> Spec:
    """Horizontal bars of `value` per `category`, stacked by `stack`, with a legend."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=list(dict.fromkeys(frame[category])), title=None),
            x=alt.X(f"sum({value}):Q", title=value_title),
            color=alt.Color(f"{stack}:N", title=None, legend=alt.Legend(orient="bottom")),
            order=alt.Order(f"{value}:Q", sort="descending"),
        )
        .properties(width=NARROW, height=max(BAR_STEP * frame[category].nunique(), 40))
    )
    return _spec(chart)


def monthly(frame: pd.DataFrame) -> Spec:
    """Net revenue per month (bars) above customers with a purchase order per month (line).

    A month the data covers only in part (columns is_partial, bounds and coverage of
    sections_data.months_covered) is drawn apart, its totals not being comparable: a
    lighter bar with a dashed outline, labelled with its bounds ('through 2011-12-09'), and a
    hollow point that the line reaches dashed."""
    frame = frame.assign(is_partial=frame["is_partial"].astype(bool))
    whole, partial = "!datum.is_partial", "datum.is_partial"
    x = alt.X("yearmonth(month):T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=-45))
    tooltip = [
        alt.Tooltip("yearmonth(month):T", title="month", format="%Y-%m"),
        alt.Tooltip("net_revenue:Q", title="net revenue", format=",.0f"),
        alt.Tooltip("purchasing_customer_count:Q", title="customers", format=",.0f"),
        alt.Tooltip("coverage:N", title="covered"),
    ]
    base = alt.Chart(frame).encode(x=x, tooltip=tooltip)
    revenue_y = alt.Y("net_revenue:Q", title="net revenue", axis=alt.Axis(format="~s"))
    revenue = alt.layer(
        base.transform_filter(whole).mark_bar(color=ACCENT).encode(y=revenue_y),
        base.transform_filter(partial)
        .mark_bar(color=ACCENT, fillOpacity=0.35, stroke=ACCENT, strokeDash=[4, 2])
        .encode(y=revenue_y),
        # the bounds read upwards from the axis, mid-bar, inside the plot whatever its height
        base.transform_filter(partial)
        .mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=9, color="#333")
        .encode(x=x.bandPosition(0.5), y=alt.datum(0), text="bounds:N"),
    )
    customers_y = alt.Y(
        "purchasing_customer_count:Q",
        title="customers with a purchase",
        axis=alt.Axis(format="~s"),
    )
    # Each partial month joined to its neighbours by a dashed segment of its own.
    positions = [i for i, is_partial in enumerate(frame["is_partial"]) if is_partial]
    links = pd.concat(
        [frame.iloc[max(i - 1, 0) : i + 2].assign(link=i) for i in positions]
        or [frame.iloc[:0].assign(link=0)]
    )
    customers = alt.layer(
        base.transform_filter(whole)
        .mark_line(point=alt.OverlayMarkDef(color=HIGHLIGHT), color=HIGHLIGHT)
        .encode(y=customers_y),
        alt.Chart(links)
        .mark_line(color=HIGHLIGHT, strokeDash=[4, 3])
        .encode(x=x, y=customers_y, detail="link:N"),
        base.transform_filter(partial)
        .mark_point(filled=True, fill="white", stroke=HIGHLIGHT, strokeWidth=1.5, size=40)
        .encode(y=customers_y),
    )
    return _spec(
        alt.vconcat(
            revenue.properties(width=WIDTH, height=160),
            customers.properties(width=WIDTH, height=100),
        )
    )


def heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    value_format: str = ",.0f",
    size: int = 40,
    domain: list[int] | None = None,
) -> alt.LayerChart:
    """Cells coloured by `value` (white when 0), each labelled with it; y sorted descending (5
    on top). With `domain`, both axes show every value of it, in order, whether the frame has
    it or not."""
    x_scale = alt.Scale(domain=domain) if domain else alt.Undefined
    y_scale = alt.Scale(domain=domain[::-1]) if domain else alt.Undefined
    base = alt.Chart(frame, title=title).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0), scale=x_scale),
        y=alt.Y(f"{y}:O", title=y_title, sort="descending", scale=y_scale),
    )
    # a cell of 0 (no customer) is drawn empty, white
    cells = base.mark_rect().encode(
        color=alt.condition(
            f"datum.{value} != 0",
            alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), legend=None),
            alt.value("white"),
        )
    )
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=value_format),
        color=alt.condition(
            f"datum.{value} > {float(frame[value].max()) * 0.6 if len(frame) else 0}",
            alt.value("white"),
            alt.value("black"),
        ),
    )
    cols = len(domain) if domain else max(frame[x].nunique(), 1)
    rows = len(domain) if domain else max(frame[y].nunique(), 1)
    return (cells + labels).properties(width=size * cols, height=size * rows)


def rfm_grids(grid: pd.DataFrame, bins: int) -> Spec:
    """Customers and net spend per R x F cell, side by side, every score 1..`bins` on both
    axes (cells without customers: rows of 0 in `grid`, see sections_customers.rfm_grid)."""
    common = {
        "x": "f_score",
        "y": "r_score",
        "x_title": "F score",
        "y_title": "R score",
        "domain": list(range(1, bins + 1)),
    }
    customers = heatmap(grid, value="customer_count", title="customers", **common)
    spend = heatmap(grid, value="monetary", title="net spend", value_format=".3~s", **common)
    # each panel its own colour scale: on a shared one, counts (hundreds) next to spend
    # (thousands) all drew in the palest blue
    return _spec(alt.hconcat(customers, spend, spacing=40).resolve_scale(color="independent"))


def profile_heatmap(profile: pd.DataFrame) -> Spec:
    """Segment profiles side by side: colour = segment mean / mean of all customers, text =
    the segment's value. Columns: persona, feature, index, label."""
    personas = list(dict.fromkeys(profile["persona"]))
    features = list(dict.fromkeys(profile["feature"]))
    base = alt.Chart(profile).encode(
        x=alt.X("persona:N", sort=personas, title=None, axis=alt.Axis(labelAngle=-20)),
        y=alt.Y("feature:N", sort=features, title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "index:Q",
            scale=alt.Scale(type="log", scheme="redblue", domainMid=1, reverse=True),
            title="vs all customers (x)",
        )
    )
    labels = base.mark_text(fontSize=10).encode(text="label:N")
    width = max(110 * len(personas), 220)
    return _spec((cells + labels).properties(width=width, height=24 * len(features)))


def k_choice(metrics: pd.DataFrame) -> Spec:
    """Silhouette and inertia per k, the chosen k marked in red."""
    base = alt.Chart(metrics).encode(
        x=alt.X("k:O", title="k (segments)", axis=alt.Axis(labelAngle=0))
    )
    marker = alt.Color(
        "is_chosen_k:N",
        scale=alt.Scale(domain=[True, False], range=[HIGHLIGHT, ACCENT]),
        legend=alt.Legend(title="chosen k", orient="bottom"),
    )
    panels = []
    for column, title in [
        ("silhouette", "silhouette (higher = better separated)"),
        ("sample_inertia", "inertia on the sample (elbow)"),
    ]:
        if column in metrics and metrics[column].notna().any():
            line = base.mark_line(color="#999").encode(y=alt.Y(f"{column}:Q", title=title))
            points = base.mark_point(filled=True, size=90).encode(
                y=alt.Y(f"{column}:Q"), color=marker
            )
            panels.append((line + points).properties(width=WIDTH // 2 - 40, height=180))
    return _spec(alt.hconcat(*panels))


def histogram(
    frame: pd.DataFrame,
    *,
    value_title: str,
    value_format: str = "~s",
    domain: list[float] | None = None,
    band: str | None = None,
) -> Spec:
    """Customers per bin (columns bin_start, bin_end, customer_count), stacked and coloured by
    the risk band column `band` when given."""
    axis = alt.X("bin_start:Q", bin="binned", title=value_title, axis=alt.Axis(format=value_format))
    chart = alt.Chart(frame).encode(
        x=axis.scale(domain=domain) if domain else axis,
        x2="bin_end:Q",
        y=alt.Y("sum(customer_count):Q", title="customers"),
    )
    if band:
        legend = alt.Legend(orient="bottom")
        chart = chart.mark_bar().encode(
            color=alt.Color(f"{band}:N", scale=_scale(RISK_COLORS), title=None, legend=legend)
        )
    else:
        chart = chart.mark_bar(color=ACCENT)
    return _spec(chart.properties(width=WIDTH, height=180))


def calibration(deciles: pd.DataFrame) -> Spec:
    """Observed vs predicted churn rate per decile, against the diagonal of perfect calibration."""
    diagonal = (
        alt.Chart(pd.DataFrame({"p": [0.0, 1.0]}))
        .mark_line(color="#999", strokeDash=[4, 4])
        .encode(x="p:Q", y="p:Q")
    )
    axis = alt.Axis(format="%")
    points = alt.Chart(deciles).encode(
        x=alt.X(
            "predicted_churn_rate:Q",
            title="predicted churn (decile mean)",
            scale=alt.Scale(domain=[0, 1]),
            axis=axis,
        ),
        y=alt.Y(
            "observed_churn_rate:Q",
            title="observed churn",
            scale=alt.Scale(domain=[0, 1]),
            axis=axis,
        ),
    )
    line = points.mark_line(color=ACCENT) + points.mark_point(filled=True, size=60, color=ACCENT)
    labels = points.mark_text(dx=10, dy=-8, fontSize=9).encode(text="decile:Q")
    return _spec((diagonal + line + labels).properties(width=300, height=300))


def auc_bars(frame: pd.DataFrame) -> Spec:
    """ROC AUC of the model and its baselines, with chance (0.5) as a dashed rule."""
    bars = hbar(
        frame,
        "model",
        "roc_auc",
        value_title="ROC AUC (validation)",
        value_format=".3f",
        color="kind",
        colors={"chosen model": HIGHLIGHT, "candidate": ACCENT, "baseline": "#95a5a6"},
    )
    chance = {
        "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555"},
        "encoding": {"x": {"datum": 0.5}},
    }
    bars["layer"].append(chance)
    return bars


def importance(frame: pd.DataFrame) -> Spec:
    """Permutation importance per feature with +- one standard deviation."""
    order = list(frame["feature_label"])
    base = alt.Chart(frame).encode(y=alt.Y("feature_label:N", sort=order, title=None))
    bars = base.mark_bar(color=ACCENT).encode(
        x=alt.X("importance:Q", title="drop of validation ROC AUC when shuffled")
    )
    errors = (
        base.mark_errorbar(color="#333")
        .encode(x=alt.X("low:Q", title=""), x2="high:Q")
        .transform_calculate(
            low="datum.importance - datum.importance_std",
            high="datum.importance + datum.importance_std",
        )
    )
    return _spec((bars + errors).properties(width=NARROW, height=BAR_STEP * len(frame)))


def pair_matrix(frame: pd.DataFrame) -> Spec:
    """Lift of the rules among the products of the strongest pairs (empty cell: no rule)."""
    antecedents = list(dict.fromkeys(frame.sort_values("antecedent_rank")["antecedent_label"]))
    consequents = list(dict.fromkeys(frame.sort_values("consequent_rank")["consequent_label"]))
    base = alt.Chart(frame).encode(
        x=alt.X(
            "consequent_label:N",
            sort=consequents,
            title="then also bought",
            axis=alt.Axis(labelAngle=-40, labelLimit=150),
        ),
        y=alt.Y(
            "antecedent_label:N", sort=antecedents, title="bought", axis=alt.Axis(labelLimit=180)
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("lift:Q", scale=alt.Scale(type="log", scheme="oranges"), title="lift")
    )
    labels = base.mark_text(fontSize=8).encode(text=alt.Text("lift:Q", format=".3~s"))
    size = 22
    return _spec(
        (cells + labels).properties(width=size * len(consequents), height=size * len(antecedents))
    )


def method_bars(frame: pd.DataFrame) -> Spec:
    """Hit rate per method, one row of bars per target (columns target, method, value,
    chosen: 'chosen' or 'other'), the chosen method of each target highlighted."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort=None),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "chosen:N",
                legend=None,
                scale=alt.Scale(domain=["chosen", "other"], range=[ACCENT, "#95a5a6"]),
            ),
            row=alt.Row("target:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        )
        .resolve_scale(y="independent")
        .properties(width=NARROW, height=alt.Step(BAR_STEP))
    )
    return _spec(chart)


def sentiment_over_time(frame: pd.DataFrame) -> Spec:
    """Share of positive, neutral and negative reviews per month (stacked to 100 %)."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonth(month):T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=-45)
            ),
            y=alt.Y(
                "sum(review_count):Q",
                stack="normalize",
                title="share of reviews",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "sentiment_label:N",
                scale=_scale(SENTIMENT_COLORS),
                title=None,
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("label_order:Q"),
        )
        .properties(width=WIDTH, height=200)
    )
    return _spec(chart)


def stars_vs_text(frame: pd.DataFrame) -> Spec:
    """One point per product: average stars vs average text sentiment."""
    chart = (
        alt.Chart(frame)
        .mark_circle(opacity=0.7)
        .encode(
            x=alt.X("avg_rating:Q", title="average stars", scale=alt.Scale(domain=[1, 5])),
            y=alt.Y(
                "avg_compound:Q",
                title="average text sentiment (VADER compound)",
                scale=alt.Scale(domain=[-1, 1]),
            ),
            size=alt.Size("review_count:Q", title="reviews", legend=alt.Legend(orient="bottom")),
            color=alt.Color(
                "share_rating_disagreement:Q",
                title="disagreeing",
                scale=alt.Scale(scheme="reds", domain=[0, 1]),
                legend=alt.Legend(orient="bottom", format="%"),
            ),
        )
        .properties(width=WIDTH - 120, height=260)
    )
    return _spec(chart)


_ID = re.compile(r'(id="|url\(#|href="#)([^")]+)')


def render_svg(spec: Spec, prefix: str) -> str:
    """The chart as SVG markup, every id (clip paths, gradients) and every reference to one
    prefixed with `prefix`, so that charts on one page never resolve each other's ids."""
    return _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", vl_convert.vegalite_to_svg(spec))
