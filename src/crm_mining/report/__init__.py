"""The results of a build as one self-contained HTML report (`make report`).

    python -m crm_mining.report --out report.html [--source PATH]

reads the marts of the warehouse dbt built (CRM_DUCKDB_PATH, opened read-only) or of the
published exports (a folder with crm_mining_marts.duckdb or parquet/), aggregates them in SQL
(`queries`), draws Vega-Lite charts rendered to inline SVG (`charts`, altair + vl-convert, no
browser, no network) and writes one HTML file (`html`) that opens offline and prints.
Sections: data, RFM, segments, churn, lifetime value (when its marts exist), associations,
sentiment; a section whose marts are absent or empty says so in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crm_mining.report import queries
from crm_mining.report.charts import render_svg
from crm_mining.report.html import render_html
from crm_mining.report.model import Report, Section
from crm_mining.report.sections_customers import rfm_section, segments_section
from crm_mining.report.sections_data import as_of_date, data_section
from crm_mining.report.sections_models import churn_section, clv_section
from crm_mining.report.sections_products import associations_section, sentiment_section
from crm_mining.report.source import MartSource, default_source, open_source

__all__ = ["BuiltReport", "build_report", "collect_report", "default_source", "write_report"]


@dataclass
class BuiltReport:
    """A written report: the model it was rendered from, the file and its size."""

    report: Report
    path: Path
    size_bytes: int


def collect_report(
    source: MartSource, title: str = "crm_mining report", render: bool = True
) -> Report:
    """Every section of the report from the marts of `source`, charts rendered to SVG (unless
    `render` is False: specs only)."""
    sections: list[Section | None] = [
        data_section(source),
        rfm_section(source),
        segments_section(source),
        churn_section(source),
        clv_section(source),
        associations_section(source),
        sentiment_section(source),
    ]
    report = Report(
        title=title,
        source=source.description,
        as_of_date=as_of_date(source),
        sections=[section for section in sections if section is not None],
    )
    for position, figure in enumerate(report.figures if render else [], start=1):
        figure.svg = render_svg(figure.spec, prefix=f"c{position}")
    return report


def write_report(report: Report, out: Path | str) -> BuiltReport:
    """Render the report to `out` (UTF-8 HTML), creating its folder."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = render_html(report)
    path.write_text(document, encoding="utf-8")
    return BuiltReport(report, path, path.stat().st_size)


def build_report(source: Path | str, out: Path | str) -> BuiltReport:
    """Read the marts at `source` (see `open_source`) and write the HTML report to `out`."""
    with open_source(source, queries.MARTS) as marts:
        report = collect_report(marts)
    return write_report(report, out)
