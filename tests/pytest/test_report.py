"""The HTML report (`make report`, `python -m crm_mining.report`): builds on the sample, on
generated data, on a real dataset without reviews or products, from the warehouse and from the
exports; every chart renders to SVG with marks; the numbers shown equal the marts; the CLV
section appears with its marts; headless Chromium opens it offline without error."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_DIR, DbtRun

from crm_mining.report import build_report, charts, collect_report, queries
from crm_mining.report.browser import check_page, find_chromium
from crm_mining.report.charts import render_svg
from crm_mining.report.model import Figure, Report, count, money, share, text
from crm_mining.report.sections_customers import rfm_grid
from crm_mining.report.sections_data import every_month, months_covered
from crm_mining.report.source import open_source

#: The number of RFM score bins the suite's builds use (the var's default).
RFM_BINS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["rfm_bins"]

# What a run that built only the data marts (e.g. `dbt build --select +fct_orders`) exports:
# every other section must then name the mart it misses.
DATA_ONLY_MARTS = ["audit_input_reconciliation", "audit_rejected_rows", "fct_orders"]


class _Page(HTMLParser):
    """Tables (by id) and facts (by section) of a report page, as the text a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.facts: dict[str, dict[str, str]] = {}
        self.empty: dict[str, str] = {}
        self._section = ""
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._tag = ""
        self._label = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self._section = attributes["id"] or ""
            self.facts[self._section] = {}
        elif tag == "table":
            self._table = (attributes["id"] or "").removeprefix("table-")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag in {"dt", "dd"} or (tag == "p" and attributes.get("class") == "empty"):
            self._tag, self._text = tag if tag != "p" else "empty", []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._tag:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row:
            self.tables[self._table or ""].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "dt" and self._tag == "dt":
            self._label, self._tag = "".join(self._text), ""
        elif tag == "dd" and self._tag == "dd":
            self.facts[self._section][self._label] = "".join(self._text)
            self._tag = ""
        elif tag == "p" and self._tag == "empty":
            self.empty[self._section] = "".join(self._text)
            self._tag = ""


def parse(html_file: Path) -> _Page:
    page = _Page()
    page.feed(html_file.read_text(encoding="utf-8"))
    return page


def number(text: str) -> float:
    """A number as the report shows it: '12,345', '12.3 %' (as a share), '-' = missing."""
    text = text.replace("\u00a0", " ").strip()
    if text.endswith("%"):
        return float(text.removesuffix("%").replace(",", "")) / 100
    return float(text.replace(",", ""))


def mark_groups(svg: str, *classes: str) -> list[ET.Element]:
    """The groups of data marks in a vl-convert SVG (tagged `role-mark` by Vega), of the mark
    classes given (e.g. `mark-rect`); every group when none."""
    wanted = {"role-mark", *classes}
    return [
        element
        for element in ET.fromstring(svg).iter()
        if wanted <= set((element.get("class") or "").split())
    ]


def svg_mark_count(svg: str) -> int:
    """Drawn data marks in a vl-convert SVG: children of the groups Vega tags `role-mark`."""
    return sum(len(group) for group in mark_groups(svg))


def chart_data(figure: Figure, *columns: str) -> pd.DataFrame:
    """The rows a chart was drawn from: the first dataset of its spec that has `columns`."""
    for rows in figure.spec.get("datasets", {}).values():
        frame = pd.DataFrame(rows)
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"chart {figure.key} has no data with the columns {columns}")


def figure_of(report: Report, key: str) -> Figure:
    return next(figure for figure in report.figures if figure.key == key)


@dataclass
class Built:
    """A report written from a build, with the build it read."""

    build: DbtRun
    html: Path
    report: Report
    size_bytes: int

    @property
    def page(self) -> _Page:
        return parse(self.html)


def _report(build: DbtRun, out: Path) -> Built:
    built = build_report(build.db_path, out)
    return Built(build, built.path, built.report, built.size_bytes)


@pytest.fixture(scope="module")
def sample_report(sample_build: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _report(sample_build, tmp_path_factory.mktemp("report") / "sample.html")


@pytest.fixture(scope="module")
def generated_report(generated_build: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _report(generated_build, tmp_path_factory.mktemp("report") / "generated.html")


@pytest.fixture(scope="session")
def retail_build(dataset_build: Callable[[str], DbtRun]) -> DbtRun:
    """The UCI Online Retail sample (orders only: no reviews, no products file), the suite's
    shared whole build of it (tests/pytest/suite_datasets.py)."""
    return dataset_build("online_retail_random20k")


@pytest.fixture(scope="module")
def retail_report(retail_build: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _report(retail_build, tmp_path_factory.mktemp("report") / "retail.html")


@pytest.fixture(scope="module")
def first_days_report(
    dataset_build: Callable[[str], DbtRun], tmp_path_factory: pytest.TempPathFactory
) -> Built:
    """The first 10k lines of UCI Online Retail: 6 days of 2010-12, 84 % of customers with one
    order (the suite's shared whole build of them)."""
    build = dataset_build("online_retail_first10k")
    return _report(build, tmp_path_factory.mktemp("report") / "first_days.html")


# Every report builds, self-contained, every chart with marks ------------------------------


@pytest.mark.parametrize("name", ["sample_report", "generated_report", "retail_report"])
def test_report_is_one_offline_file_whose_charts_all_have_marks(
    name: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(name)
    html = built.html.read_text(encoding="utf-8")
    assert built.size_bytes < 5_000_000
    # nothing to fetch: no script, stylesheet, image or font from anywhere
    for needle in ["<script", "<link", "src=", "@import", "url(http", 'href="http']:
        assert needle not in html, needle
    assert built.report.figures, "no chart at all"
    for figure in built.report.figures:
        assert svg_mark_count(figure.svg) > 0, f"chart {figure.key} has no data mark"
        assert f'data-chart="{figure.key}"' in html


def test_every_chart_spec_renders_again_with_vl_convert(sample_report: Built) -> None:
    """The specs (not only the SVG kept in the report) render with vl-convert to marks."""
    keys = [figure.key for figure in sample_report.report.figures]
    assert len(keys) == len(set(keys))
    for figure in sample_report.report.figures:
        assert svg_mark_count(render_svg(figure.spec, prefix="again")) > 0, figure.key


def test_sample_report_has_every_section(sample_report: Built) -> None:
    keys = [section.key for section in sample_report.report.sections]
    assert keys == ["data", "rfm", "segments", "churn", "clv", "associations", "sentiment"]
    assert not any(section.empty for section in sample_report.report.sections)
    figures = {figure.key for figure in sample_report.report.figures}
    assert {
        "data-months", "rfm-grid", "segments-profiles", "segments-k", "churn-bands",
        "churn-calibration", "churn-auc", "churn-drivers", "associations-matrix",
        "associations-evaluation", "sentiment-months", "sentiment-stars-text",
    } <= figures  # fmt: skip


def test_chart_ids_are_unique_on_the_page(sample_report: Built) -> None:
    """Clip paths and gradients of one chart never resolve to another chart's."""
    html = sample_report.html.read_text(encoding="utf-8")
    ids = [
        element.get("id")
        for figure in sample_report.report.figures
        for element in ET.fromstring(figure.svg).iter()
        if element.get("id")
    ]
    assert ids and len(ids) == len(set(ids))
    assert all(f'id="{identifier}"' in html for identifier in ids)


# The numbers shown equal the marts ---------------------------------------------------------


@pytest.mark.parametrize("name", ["sample_report", "generated_report"])
def test_numbers_shown_equal_the_marts(name: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(name)
    page, build = built.page, built.build

    reconciliation = build.df("audit_input_reconciliation").set_index("input_name")
    shown = {
        row[0]: [number(cell) for cell in row[1:]] for row in page.tables["data-reconciliation"]
    }
    expected = {
        name: [
            row.rows_read,
            row.rows_kept,
            row.rows_duplicate,
            row.rows_rejected,
            row.rows_after_as_of_date,
        ]
        for name, row in reconciliation.iterrows()
        if row.rows_read > 0
    }
    assert shown == expected
    rejected = build.df(
        "select input_name, reason, count(*) as n from audit_rejected_rows "
        "where row_status = 'rejected' group by all"
    ).set_index(["input_name", "reason"])["n"]
    for input_name, reason, rows, _ in page.tables["data-reasons"]:
        assert number(rows) == rejected[(input_name, reason)]

    facts = page.facts["data"]
    assert number(facts["orders"]) == build.scalar("select count(*) from fct_orders")
    assert number(facts["customers"]) == build.scalar("select count(*) from dim_customers")
    assert facts["last order"] == str(build.scalar("select max(order_date) from fct_orders"))
    as_of = build.scalar("select as_of_date from int_as_of_date_resolved")
    assert facts["as_of_date"] == str(as_of) == built.report.as_of_date

    segments = build.df(
        "select segment_id, count(*) as n from fct_customer_segments group by segment_id"
    ).set_index("segment_id")["n"]
    shown_segments = {int(row[0]): number(row[2]) for row in page.tables["segments-personas"]}
    assert shown_segments == segments.to_dict()

    rfm = build.df(
        "select rfm_segment, count(*) as n from fct_customer_rfm group by rfm_segment"
    ).set_index("rfm_segment")["n"]
    assert {row[0]: number(row[1]) for row in page.tables["rfm-segments"]} == rfm.to_dict()

    bands = build.df(
        "select churn_risk_band, count(*) as n from fct_customer_churn_scores group by 1"
    ).set_index("churn_risk_band")["n"]
    assert {row[0]: number(row[1]) for row in page.tables["churn-bands"]} == bands.to_dict()

    evaluation = build.df("fct_recommendation_evaluation").set_index(
        ["recommendation_target", "method"]
    )
    shown = page.tables["associations-evaluation"]
    assert len(shown) == len(evaluation)
    for target, method, customers, hit_rate, _recall in shown:
        row = evaluation.loc[(target, method.removesuffix(" (chosen)"))]
        assert method.endswith(" (chosen)") == bool(row["is_chosen"])
        assert number(customers) == row["evaluated_customer_count"]
        if not pd.isna(row["hit_rate"]):
            assert number(hit_rate) == pytest.approx(row["hit_rate"], abs=5e-4)

    reviews = build.scalar("select count(*) from fct_review_sentiment")
    assert number(page.facts["sentiment"]["reviews"]) == reviews


def test_top_pairs_are_the_strongest_rules_with_product_names(sample_report: Built) -> None:
    """Independent of the report's SQL: the pair shown first is a kept rule, named as in the
    mart, whose lift is the highest of all kept rules; the first by support, the most frequent."""
    rules = sample_report.build.df("fct_item_pair_associations")
    first = sample_report.page.tables["associations-lift"][0]
    antecedent, consequent = first[0].split(" → ")
    shown = rules[
        (rules["antecedent_product_name"] == antecedent)
        & (rules["consequent_product_name"] == consequent)
    ]
    assert len(shown) == 1
    assert shown["lift"].iloc[0] == pytest.approx(rules["lift"].max(), rel=1e-9)
    assert number(first[4]) == pytest.approx(rules["lift"].max(), abs=0.05)
    top_support = sample_report.page.tables["associations-support"][0]
    assert number(top_support[1]) == rules["pair_order_count"].max()


# Sources: warehouse, exports, real data without reviews and products -----------------------


def _shown(report: Report) -> list[tuple[object, ...]]:
    return [
        (section.key, section.facts, [table.rows for table in section.tables], section.empty)
        for section in report.sections
    ]


def parquet_exports(build: DbtRun, folder: Path, marts: list[str] | None = None) -> Path:
    """A folder of the build's published `<mart>.parquet` files (those of `marts`, or all),
    linked, without the database of views beside them: a source the report reads as Parquet."""
    folder.mkdir()
    for parquet_file in (build.db_path.parent / "exports").glob("*.parquet"):
        if marts is None or parquet_file.stem in marts:
            (folder / parquet_file.name).symlink_to(parquet_file)
    return folder


def test_exports_give_the_same_report_as_the_warehouse(
    sample_report: Built, tmp_path: Path
) -> None:
    exports = sample_report.build.db_path.parent / "exports"
    parquet_only = parquet_exports(sample_report.build, tmp_path / "parquet")
    with open_source(parquet_only, queries.MARTS) as parquet:
        from_parquet = collect_report(parquet, render=False)
        assert parquet.description.startswith("Parquet files")
    with open_source(exports, queries.MARTS) as published:
        from_exports = collect_report(published, render=False)
        assert published.description == f"Parquet files in {exports}"
    assert _shown(from_parquet) == _shown(sample_report.report)
    assert _shown(from_exports) == _shown(sample_report.report)


def exports_with_an_empty_mart(
    built: Built, copy: Path, mart: str, placeholder: bool = False
) -> Path:
    """A copy of the build's exports folder in which `mart`'s file holds no row, marked as
    the placeholder of a mart never built (crm_publish_bi_views) when `placeholder`."""
    shutil.copytree(built.build.db_path.parent / "exports", copy)
    file, emptied = copy / f"{mart}.parquet", copy.parent / f"{mart}_emptied.parquet"
    marker = ", kv_metadata {crm_mining_placeholder: 'not built yet'}" if placeholder else ""
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_parquet('{file}') limit 0) to '{emptied}'"
            f" (format parquet{marker})"
        )
    emptied.replace(file)
    return copy


def test_a_moved_copy_of_the_exports_reads_its_own_files(
    sample_report: Built, tmp_path: Path
) -> None:
    """The BI database's views name the files by the absolute path they were written to: a
    copy read through them read the original files (or failed once they were gone). The
    report reads the folder's own files, also when given its crm_mining_marts.duckdb; and a
    mart's placeholder file (published with no rows before the mart was ever built) is a
    missing mart, not an empty one: before, the report said that no customer had a purchase."""
    copy = exports_with_an_empty_mart(
        sample_report, tmp_path / "moved_exports", "fct_customer_rfm", placeholder=True
    )
    with open_source(copy / "crm_mining_marts.duckdb", queries.MARTS) as source:
        assert source.description == f"Parquet files in {copy}"
        assert not source.has("fct_customer_rfm")
        assert source.has("fct_orders") and source.row_count("fct_orders") > 0
        report = collect_report(source, render=False)
    assert "fct_customer_rfm" in report.section("rfm").empty


def test_real_orders_only_data_says_what_is_missing(retail_report: Built) -> None:
    report, page, build = retail_report.report, retail_report.page, retail_report.build
    assert report.section("sentiment").empty.startswith("There is no review")
    assert "There is no review" in page.empty["sentiment"]
    assert report.section("sentiment").figures == []
    # churn and segments are learned from the orders alone: shown, not said missing
    assert "churn" not in page.empty and "segments" not in page.empty
    assert report.section("churn").figures and report.section("segments").figures
    reconciliation = build.df("audit_input_reconciliation").set_index("input_name")
    transactions = next(r for r in page.tables["data-reconciliation"] if r[0] == "transactions")
    assert number(transactions[4]) == reconciliation.loc["transactions", "rows_rejected"] > 0
    assert "reviews" in " ".join(retail_report.report.section("data").notes)
    assert {f.key for f in report.section("associations").figures} >= {"associations-lift"}
    names = set(build.df("select distinct product_name from dim_products")["product_name"])
    first = page.tables["associations-lift"][0][0].split(" → ")
    assert set(first) <= names


def test_customers_per_month_are_those_with_a_purchase_order(retail_report: Built) -> None:
    """UCI Online Retail has customers whose only orders of a month are cancellations: the
    monthly chart counted them among its customers (2011-12: 311 instead of 302)."""
    counts = retail_report.build.df(
        "select strftime(order_date, '%Y-%m') as month, "
        "count(distinct customer_id) as with_an_order, "
        "count(distinct customer_id) filter (where is_purchase_order) as with_a_purchase "
        "from fct_orders group by 1"
    ).set_index("month")
    assert (counts["with_an_order"] > counts["with_a_purchase"]).any()
    shown = chart_data(
        figure_of(retail_report.report, "data-months"), "month", "purchasing_customer_count"
    )
    assert dict(zip(shown["month"].str[:7], shown["purchasing_customer_count"], strict=True)) == (
        counts["with_a_purchase"].to_dict()
    )


# Months the data covers in part ------------------------------------------------------------


def test_months_covered_marks_a_month_cut_at_either_end() -> None:
    months = pd.DataFrame({"month": pd.to_datetime(["2010-12-01", "2011-01-01", "2011-02-01"])})
    covered = months_covered(months, dt.date(2010, 12, 3), dt.date(2011, 2, 9))
    assert list(covered["is_partial"]) == [True, False, True]
    assert list(covered["days_covered"]) == [29, 31, 9]
    assert list(covered["bounds"]) == ["from 2010-12-03", "", "through 2011-02-09"]
    assert list(covered["coverage"]) == [
        "29 of 31 days, from 2010-12-03", "whole month", "9 of 28 days, through 2011-02-09"
    ]  # fmt: skip
    one = months_covered(months.iloc[:1], dt.date(2010, 12, 3), dt.date(2010, 12, 7))
    assert list(one["coverage"]) == ["5 of 31 days, 2010-12-03 to 2010-12-07"]
    leap = pd.DataFrame({"month": pd.to_datetime(["2024-02-01"])})
    whole = months_covered(leap, dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert not whole["is_partial"].any() and list(whole["days_in_month"]) == [29]


def _months(partial_last: bool) -> pd.DataFrame:
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2011-01-01", "2011-02-01"]),
            "net_revenue": [1000.0, 300.0],
            "purchasing_customer_count": [40.0, 12.0],
        }
    )
    last_day = dt.date(2011, 2, 9) if partial_last else dt.date(2011, 2, 28)
    return months_covered(months, dt.date(2011, 1, 1), last_day)


def test_monthly_chart_draws_a_partial_month_apart() -> None:
    """The partial month's bar is lighter with a dashed outline, labelled with its bounds, its
    point hollow and reached by a dashed line; before, it was drawn as a whole month."""
    svg = render_svg(charts.monthly(_months(partial_last=True)), prefix="m")
    assert ">through 2011-02-09</text>" in svg
    assert "covered: 9 of 28 days, through 2011-02-09" in svg  # the bar's aria label
    assert svg.count('stroke-dasharray="4,2"') == 1  # the partial bar
    assert svg.count('stroke-dasharray="4,3"') == 1  # the line into it
    whole = render_svg(charts.monthly(_months(partial_last=False)), prefix="w")
    assert svg_mark_count(whole) > 0 and "through" not in whole
    assert "stroke-dasharray" not in whole


@pytest.mark.parametrize("name", ["sample_report", "retail_report", "first_days_report"])
def test_partial_months_are_the_ones_the_data_covers_in_part(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Independent of the report: the data covers the days from the first order to the day
    before as_of_date; a month with fewer of its days covered is marked partial in the chart's
    data, drawn with its bounds and named in the caption, and no other month is."""
    built: Built = request.getfixturevalue(name)
    build = built.build
    first_day = build.scalar("select min(order_date) from fct_orders")
    last_day = build.scalar("select as_of_date from int_as_of_date_resolved") - dt.timedelta(1)
    expected = {}
    months = "select distinct cast(date_trunc('month', order_date) as date) from fct_orders"
    for (month,) in build.rows(months):
        start, end = month, (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
        covered = (min(end, last_day) - max(start, first_day)).days + 1
        if covered < (end - start).days + 1:
            expected[f"{month:%Y-%m}"] = f"{covered} of {(end - start).days + 1} days"
    figure = figure_of(built.report, "data-months")
    shown = chart_data(figure, "month", "is_partial", "coverage", "bounds")
    partial = shown[shown["is_partial"]]
    assert {
        month[:7]: coverage.split(",")[0]
        for month, coverage in zip(partial["month"], partial["coverage"], strict=True)
    } == expected
    for row in partial.itertuples():
        assert f"{row.month[:7]} ({row.coverage})" in figure.caption
        assert f">{row.bounds}</text>" in figure.svg
    if name == "retail_report":  # the review's case: 9 days of 2011-12 drawn as a month
        assert expected == {"2011-12": "9 of 31 days"}
        assert "2011-12 (9 of 31 days, through 2011-12-09)" in figure.caption
    if name == "first_days_report":
        assert expected == {"2010-12": "7 of 31 days"}


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_a_missing_value_is_shown_as_a_dash(missing: object) -> None:
    """Whatever kind of missing a mart cell gives (pandas' NA: nullable integer columns)."""
    assert count(missing) == "-"
    assert money(missing) == "-"
    assert share(missing) == "-"
    assert text(missing) == "-"
    assert count(12345) == "12,345"


def test_every_month_fills_a_month_without_orders_with_zeros() -> None:
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2011-01-01", "2011-03-01"]),
            "order_count": [3, 2],
            "net_revenue": [10.0, 5.0],
        }
    )
    filled = every_month(months, dt.date(2011, 1, 5), dt.date(2011, 4, 2))
    assert [f"{month:%Y-%m}" for month in filled["month"]] == [
        "2011-01", "2011-02", "2011-03", "2011-04"
    ]  # fmt: skip
    assert filled["order_count"].tolist() == [3, 0, 2, 0]
    assert filled["net_revenue"].tolist() == [10.0, 0.0, 5.0, 0.0]


def test_a_month_without_orders_is_drawn_at_zero_and_named(
    sample_report: Built, tmp_path: Path
) -> None:
    """Exports of the sample without its orders of 2023-06: the chart left the month out and
    joined May to July; it now draws June at 0 and the caption names it."""
    copy = tmp_path / "exports"
    shutil.copytree(sample_report.build.db_path.parent / "exports", copy)
    file, kept = copy / "fct_orders.parquet", tmp_path / "kept.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_parquet('{file}') where strftime(order_date, '%Y-%m')"
            f" != '2023-06') to '{kept}' (format parquet)"
        )
    kept.replace(file)
    with open_source(copy, queries.MARTS) as source:
        figure = figure_of(collect_report(source), "data-months")
    shown = chart_data(figure, "month", "net_revenue", "purchasing_customer_count")
    june = shown[shown["month"].str[:7] == "2023-06"]
    assert len(june) == 1
    assert june[["net_revenue", "purchasing_customer_count"]].iloc[0].tolist() == [0, 0]
    assert "Months without any order, drawn at 0: 2023-06." in figure.caption
    assert "without any order" not in figure_of(sample_report.report, "data-months").caption


# The R x F grid: every score on both axes ---------------------------------------------------


def test_rfm_grid_has_every_cell_in_order() -> None:
    cells = pd.DataFrame(
        {"r_score": [3, 1], "f_score": [1, 3], "customer_count": [4.0, 2.0], "monetary": [9.5, 1.0]}
    )
    grid = rfm_grid(cells, 3)
    assert list(zip(grid["r_score"], grid["f_score"], strict=True)) == [
        (r, f) for r in (1, 2, 3) for f in (1, 2, 3)
    ]
    counts = grid.set_index(["r_score", "f_score"])["customer_count"]
    assert counts[(3, 1)] == 4 and counts[(1, 3)] == 2 and counts.sum() == 6
    assert grid.set_index(["r_score", "f_score"])["monetary"][(2, 2)] == 0


def grid_cells_drawn(svg: str) -> list[int]:
    """Cells (rect marks) drawn per heatmap of a vl-convert SVG."""
    return [len(group) for group in mark_groups(svg, "mark-rect")]


@pytest.mark.parametrize(
    ("name", "empty"), [("retail_report", "F 2"), ("first_days_report", "F 2, F 3, F 4")]
)
def test_rfm_grid_draws_every_score_also_those_no_customer_has(
    name: str, empty: str, request: pytest.FixtureRequest
) -> None:
    """UCI Online Retail has no customer with F 2 (its first 10k lines: F 1 and F 5 only, 84 %
    of customers having one order and ties sharing the lowest rank): the grid left those
    columns out, 4 or 2 columns instead of 5. Every cell is now drawn, 0 where it is empty,
    and a note names the empty scores."""
    built: Built = request.getfixturevalue(name)
    figure = figure_of(built.report, "rfm-grid")
    shown = chart_data(figure, "r_score", "f_score", "customer_count")
    marts = built.build.df(
        "select r_score, f_score, count(*) as n from fct_customer_rfm group by all"
    ).set_index(["r_score", "f_score"])["n"]
    scores = range(1, RFM_BINS + 1)
    assert len(shown) == RFM_BINS**2 > len(marts)
    assert {
        (r, f): n
        for r, f, n in zip(shown["r_score"], shown["f_score"], shown["customer_count"], strict=True)
    } == {(r, f): marts.get((r, f), 0) for r in scores for f in scores}
    assert grid_cells_drawn(figure.svg) == [RFM_BINS**2, RFM_BINS**2]
    notes = " ".join(built.report.section("rfm").notes)
    assert f"no customer scores {empty}:" in notes


def grid_cell_fills(svg: str) -> list[list[tuple[float, str]]]:
    """(value, fill) of each cell, per heatmap of a vl-convert SVG (the value: the last field
    of the cell's aria label, 'F score: 1; R score: 1; customer_count: 490')."""
    return [
        [
            (float(cell.get("aria-label", "").rsplit(": ", 1)[1]), cell.get("fill", ""))
            for cell in element
        ]
        for element in mark_groups(svg, "mark-rect")
    ]


def test_rfm_grid_colours_each_panel_on_its_own_range(retail_report: Built) -> None:
    """Customers and spend shared one colour scale, so every customer count (hundreds, beside
    spend in thousands) drew in the palest blue: both panels' largest cells now take the
    darkest colour. Empty cells are white, and only they."""
    customers, spend = grid_cell_fills(figure_of(retail_report.report, "rfm-grid").svg)
    largest = [max(panel)[1] for panel in (customers, spend)]
    assert largest[0] == largest[1] != "white"
    for panel in (customers, spend):
        assert any(value == 0 for value, _ in panel)
        assert all((fill == "white") == (value == 0) for value, fill in panel)


def test_rfm_grid_follows_the_number_of_bins_of_the_build(
    sample_report: Built, tmp_path: Path
) -> None:
    """Exports of a build with rfm_bins = 3 (the sample's scores folded onto 1..3): a 3 x 3
    grid, not the default's 5 x 5."""
    copy = tmp_path / "exports"
    shutil.copytree(sample_report.build.db_path.parent / "exports", copy)
    file, folded = copy / "fct_customer_rfm.parquet", tmp_path / "folded.parquet"
    fold = ", ".join(
        f"cast(ceil({c} * 3 / 5) as integer) as {c}" for c in ("r_score", "f_score", "m_score")
    )
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * replace ({fold}) from read_parquet('{file}')) to '{folded}'"
            " (format parquet)"
        )
    folded.replace(file)
    with open_source(copy, queries.MARTS) as source:
        figure = figure_of(collect_report(source), "rfm-grid")
    shown = chart_data(figure, "r_score", "f_score", "customer_count")
    assert sorted(set(shown["r_score"])) == sorted(set(shown["f_score"])) == [1, 2, 3]
    assert len(shown) == 9 and grid_cells_drawn(figure.svg) == [9, 9]


def test_sections_name_the_marts_they_miss(retail_build: DbtRun, tmp_path: Path) -> None:
    """A folder of Parquet exports holding only the data marts: the data section is drawn, every
    other section says which mart it needs instead of a chart."""
    exports = parquet_exports(retail_build, tmp_path / "exports", DATA_ONLY_MARTS)
    assert sorted(path.stem for path in exports.iterdir()) == sorted(DATA_ONLY_MARTS)
    built = build_report(exports, tmp_path / "data_only.html")
    page = parse(built.path)
    assert built.report.section("data").figures and "data" not in page.empty
    assert "fct_customer_churn_scores" in page.empty["churn"]
    assert "dim_segment_personas" in page.empty["segments"]
    assert "fct_customer_rfm" in page.empty["rfm"]
    assert "fct_item_pair_associations" in page.empty["associations"]


def test_cli_reads_the_warehouse_of_crm_duckdb_path(sample_build: DbtRun, tmp_path: Path) -> None:
    out = tmp_path / "cli" / "report.html"
    env = {**os.environ, "CRM_DUCKDB_PATH": str(sample_build.db_path)}
    done = subprocess.run(
        [sys.executable, "-m", "crm_mining.report", "--out", str(out)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.exists() and "report:" in done.stdout and "charts" in done.stdout


def test_cli_says_when_there_is_no_build(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from crm_mining.report.__main__ import main

    assert main(["--out", str(tmp_path / "r.html"), "--source", str(tmp_path / "no.duckdb")]) == 2
    assert "make build" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


# Lifetime value: shown when its marts exist, whatever columns they have --------------------


def test_clv_section_equals_the_marts(sample_report: Built) -> None:
    build, section = sample_report.build, sample_report.report.section("clv")
    clv = build.df("fct_customer_lifetime_value")
    facts = dict(section.facts)
    assert number(facts["customers valued"]) == len(clv) > 0
    total = clv["predicted_clv"].astype(float).sum()
    assert number(facts["predicted CLV, total"]) == pytest.approx(total, rel=1e-3)
    assert number(facts["mean P(alive)"]) == pytest.approx(clv["p_alive"].mean(), abs=5e-4)
    assert [f.key for f in section.figures] == [
        "clv-distribution", "clv-p-alive", "clv-tiers", "clv-segments"
    ]  # fmt: skip
    assert all(svg_mark_count(figure.svg) > 0 for figure in section.figures)
    metrics = {row[0]: row[1] for row in section.table("clv-metrics").rows}
    alpha = build.scalar("select bgnbd_alpha from fct_clv_model_metrics")
    assert metrics["bgnbd_alpha"] == text(alpha)
    keys = [s.key for s in sample_report.report.sections]
    assert keys.index("clv") == keys.index("churn") + 1


def test_clv_section_without_some_columns(sample_build: DbtRun, tmp_path: Path) -> None:
    """The sample's Parquet exports, the CLV mart without p_alive and clv_tier (a user's own
    CLV mart, an older version): the section draws what the columns allow and names the rest."""
    folder = parquet_exports(sample_build, tmp_path / "marts")
    clv_file = folder / "fct_customer_lifetime_value.parquet"  # the link is replaced below
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * exclude (p_alive, clv_tier) from '{clv_file}') "
            f"to '{folder / 'trimmed.parquet'}' (format parquet)"
        )
    (folder / "trimmed.parquet").replace(clv_file)
    built = build_report(folder, tmp_path / "clv.html")
    section = built.report.section("clv")
    assert [f.key for f in section.figures] == ["clv-distribution", "clv-segments"]
    assert "mean P(alive)" not in dict(section.facts)
    assert any("p_alive, clv_tier" in note for note in section.notes)


def test_clv_section_of_a_limit_fit(retail_report: Built) -> None:
    """UCI Online Retail: the BG/NBD likelihood has no interior maximum but a limit (nobody
    drops out) whose predictions fill the CLV columns: the section draws them, and its metrics
    table gives the model's reason."""
    build = retail_report.build
    reason = build.scalar("select bgnbd_fallback_reason from fct_clv_model_metrics")
    assert reason.startswith("no interior maximum")
    unvalued = "select count(*) - count(predicted_clv) from fct_customer_lifetime_value"
    assert build.scalar(unvalued) == 0
    section = retail_report.report.section("clv")
    assert section.figures and not section.empty
    metrics = {row[0]: row[1] for row in section.table("clv-metrics").rows}
    assert metrics["bgnbd_fallback_reason"] == reason


def test_clv_section_says_why_when_the_model_could_not_be_fitted(
    retail_report: Built, tmp_path: Path
) -> None:
    """The marts of a purchase model not fitted (as after "did not converge": the model columns
    null, the reason in the metrics), from the Online Retail exports: the section says so with
    the model's reason instead of drawing empty charts."""
    reason = "BG/NBD fit did not converge to a maximum after 3 iterations (planted)"
    folder = parquet_exports(retail_report.build, tmp_path / "marts")
    model_columns = "p_alive, expected_purchases, predicted_clv, clv_tier"
    rewrites = {
        "fct_customer_lifetime_value": (
            f"select * replace ({', '.join(f'null as {c}' for c in model_columns.split(', '))})"
        ),
        "fct_clv_model_metrics": f"select * replace ('{reason}' as bgnbd_fallback_reason)",
    }
    with duckdb.connect() as con:
        for mart, select in rewrites.items():
            file, rewritten = folder / f"{mart}.parquet", tmp_path / f"{mart}.parquet"
            con.execute(f"copy ({select} from '{file}') to '{rewritten}' (format parquet)")
            rewritten.replace(file)
    section = build_report(folder, tmp_path / "clv.html").report.section("clv")
    assert section.empty.endswith(f"({reason}).") and section.figures == []


# In a real browser -------------------------------------------------------------------------


def test_chromium_opens_the_report_offline_and_draws_every_chart(sample_report: Built) -> None:
    if find_chromium() is None:
        pytest.skip("no Chromium (Debian package `chromium`; .ci/run installs it with apt)")
    screenshot = sample_report.html.with_suffix(".png")
    check = check_page(sample_report.html, screenshot, pdf=True)
    print(f"report screenshot: {screenshot}")
    assert check.console_errors == []
    assert check.external_requests == []
    assert [chart["key"] for chart in check.charts] == [
        figure.key for figure in sample_report.report.figures
    ]
    for chart in check.charts:
        assert chart["width"] > 100 and chart["height"] > 50, chart
        assert chart["marks"] > 0, chart
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert check.pdf_pages is not None and check.pdf_pages >= 3  # printable, several pages


def test_without_rules_the_recommendation_evaluation_is_still_shown(
    sample_report: Built, tmp_path: Path
) -> None:
    """Data without a pair above the thresholds (orders of one line) still has recommendations:
    popularity and buy again need no rule. The section said only that there is no rule."""
    copy = exports_with_an_empty_mart(
        sample_report, tmp_path / "exports", "fct_item_pair_associations"
    )
    with open_source(copy, queries.MARTS) as source:
        section = collect_report(source, render=False).section("associations")
    assert section.empty is None
    assert [item.key for item in section.items] == ["associations-evaluation"] * 2
    assert any("there is no rule to show" in note for note in section.notes)
