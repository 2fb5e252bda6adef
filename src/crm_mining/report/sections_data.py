"""The report's first section: the data read, kept and left out, and the months analysed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_mining.report import charts, queries
from crm_mining.report.model import Figure, Section, Table, count, day, money
from crm_mining.report.source import MartSource, absent, as_floats

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


def data_section(source: MartSource) -> Section:
    """Rows read / kept / left out per input, date range, as_of_date, customers, orders,
    revenue by month."""
    section = Section(
        "data",
        "Data",
        "Every input row is either kept or left out with a reason; the months show what the "
        "analysis covers.",
    )
    add_input_rows(section, source)
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
        section.add(months_figure(source, overview, months))
        section.items.sort(key=lambda item: item.key != "data-months")  # what is analysed first
    else:
        section.empty = "No order was kept: there is nothing to analyse."
    return section


def add_input_rows(section: Section, source: MartSource) -> None:
    """The reconciliation of every input's rows, and the rows left out and why, when the audit
    marts are there."""
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
    if not source.has(queries.REJECTED_ROWS):
        return
    left_out = source.frame(queries.sql("rows_left_out"))
    if not len(left_out):
        section.notes.append("No input row was rejected or dropped as a duplicate.")
        return
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


def months_figure(source: MartSource, overview: pd.Series, months: pd.DataFrame) -> Figure:
    """Net revenue and customers with a purchase per calendar month (`months`: one row per
    month with orders), every month of the data drawn, those it covers in part set apart."""
    months = as_floats(months, "net_revenue", "purchasing_customer_count")
    months["month"] = pd.to_datetime(months["month"])
    # The data covers the days from the first order to the day before as_of_date (the last
    # order date unless the var as_of_date was set later; without a mart that carries
    # as_of_date, the last order date).
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
    return Figure(
        "data-months",
        "Net revenue and customers with a purchase per month",
        charts.monthly(months),
        caption=caption,
    )
