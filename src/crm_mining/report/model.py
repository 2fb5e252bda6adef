"""What a report is made of (sections of facts, figures and tables) and how numbers are shown."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Figure:
    """A chart: its Vega-Lite spec and, once rendered, its inline SVG."""

    key: str
    title: str
    spec: dict[str, Any]
    caption: str = ""
    svg: str = ""


@dataclass
class Table:
    """A small table shown as HTML: cells are already formatted text."""

    key: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Section:
    """One section of the report. `empty` replaces figures and tables when the marts it
    reads are absent or hold no row; `notes` are sentences shown under the facts."""

    key: str
    title: str
    how_to_read: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: Figures and tables, in the order they are shown.
    items: list[Figure | Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None

    def add(self, item: Figure | Table) -> None:
        self.items.append(item)

    @property
    def figures(self) -> list[Figure]:
        return [item for item in self.items if isinstance(item, Figure)]

    @property
    def tables(self) -> list[Table]:
        return [item for item in self.items if isinstance(item, Table)]

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


@dataclass
class Report:
    """The whole report, ready to render."""

    title: str
    source: str
    as_of_date: str
    sections: list[Section]

    @property
    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA (whose comparisons give NA, which has no truth value)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def count(value: Any) -> str:
    """An integer with thousands separators: 12,345 ('-' when missing)."""
    if _missing(value):
        return "-"
    return f"{int(value):,}"


def number(value: Any, digits: int = 2) -> str:
    """A decimal number with thousands separators and `digits` decimals."""
    if _missing(value):
        return "-"
    return f"{float(value):,.{digits}f}"


def money(value: Any) -> str:
    """An amount in currency units, rounded to the unit above 1,000."""
    if _missing(value):
        return "-"
    amount = float(value)
    return f"{amount:,.0f}" if abs(amount) >= 1000 else f"{amount:,.2f}"


def share(value: Any, digits: int = 1) -> str:
    """A share 0..1 as a percentage: 0.1234 -> '12.3 %'."""
    if _missing(value):
        return "-"
    return f"{100 * float(value):.{digits}f}\u00a0%"


def day(value: Any) -> str:
    """A date as YYYY-MM-DD."""
    if _missing(value):
        return "-"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def text(value: Any) -> str:
    """Any value as text ('-' when missing); floats with up to 4 significant decimals."""
    if _missing(value):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not math.isinf(value):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, dt.date):
        return day(value)
    return str(value)
