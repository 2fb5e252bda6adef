"""The same data read two ways (typed tables, files) gives the same marts: helpers of the tests
of the relations input mode and of the integration_tests consumer project, whose value
comparison (read_rows, sort_key, same_value) the Spark parity tests share.

Typed input tables are made here from the input files of a build (CSV or Parquet, read as
text) by casting each column to the type a warehouse would give it (TYPED_COLUMNS). A value
its type cannot hold (the generator's planted quantity 'three' or 30 February) is null in the
table, as a typed load leaves it: that row is rejected in both builds, its reason reads
'<column>: missing' instead of "<column>: cannot cast '<value>' to ...". That reason, the
audit's source_row_number (file position vs the fixed order of relations mode), the last
bits of float averages whose summation order follows the row order (and ORDER_DEPENDENT) are
the only differences the comparison allows; everything else must be equal, value for value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from harness import PROJECT_DIR

#: Every mart of the project (models/marts/**): what the equality tests compare.
MARTS = sorted(path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("*.sql"))

#: The type of each input column in the typed tables (text ids: they keep leading zeros).
TYPED_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {"order_id": "varchar", "customer_id": "varchar", "order_date": "timestamp"},
    "order_items": {
        "order_id": "varchar",
        "product_id": "varchar",
        "quantity": "integer",
        "unit_price": "decimal(10, 2)",
    },
    "transactions": {
        "order_id": "varchar",
        "customer_id": "varchar",
        "order_date": "timestamp",
        "product_id": "varchar",
        "quantity": "bigint",
        "unit_price": "double",
        "product_name": "varchar",
        "category": "varchar",
    },
    "customers": {"customer_id": "varchar", "signup_date": "date", "country": "varchar"},
    "products": {
        "product_id": "varchar",
        "product_name": "varchar",
        "category": "varchar",
        "list_price": "double",
    },
    "reviews": {
        "review_id": "varchar",
        "customer_id": "varchar",
        "product_id": "varchar",
        "review_date": "date",
        "rating": "smallint",
        "review_text": "varchar",
    },
}
TYPED_NAMES = {
    column
    for columns in TYPED_COLUMNS.values()
    for column, data_type in columns.items()
    if data_type != "varchar"
}
#: Columns whose value follows the row order beyond float noise, and the tolerance they get:
#: a mean (over customers) of per-customer means cast to 6 decimals first, so an inner mean
#: whose last bits follow the row order can round the other way at the 6th decimal.
ORDER_DEPENDENT = {("dim_segment_personas", "avg_review_sentiment"): 1e-6}
_UNCASTABLE = re.compile(
    r"(\w+): cannot cast '(?:[^']|'')*' to (?:a date or timestamp|a number|a date)"
)


def write_typed_tables(db_path: Path, schema: str, data_dir: Path) -> dict[str, str]:
    """The inputs of data_dir as typed tables of schema in db_path; returns {input: type list}.

    Rows are written in another order than the files' (a table has none), a column name in
    upper case and a load-time column the contract does not know are added.
    """
    written = {}
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {schema}")
        for name, columns in TYPED_COLUMNS.items():
            found = [data_dir / f"{name}.{fmt}" for fmt in ("csv", "parquet")]
            path = next((p for p in found if p.exists()), None)
            if path is None:
                continue
            reader = (
                f"read_csv('{path}', header = true, all_varchar = true)"
                if path.suffix == ".csv"
                else f"read_parquet('{path}')"
            )
            # Text first: DuckDB would push the casts into its CSV reader (and fail there).
            con.execute(f"create or replace temp table input_text as select * from {reader}")
            present = {row[0] for row in con.execute("describe input_text").fetchall()}
            selected = [
                f"try_cast({column} as {data_type}) as {column.upper() if i == 0 else column}"
                for i, (column, data_type) in enumerate(columns.items())
                if column in present
            ]
            con.execute(
                f"create or replace table {schema}.{name} as select {', '.join(selected)},"
                " timestamp '2025-01-01 06:00:00' as _loaded_at"
                f" from input_text order by hash(input_text)"
            )
            written[name] = ", ".join(
                f"{row[0]} {row[1]}" for row in con.execute(f"describe {schema}.{name}").fetchall()
            )
    return written


def relations_reason(file_reason: str | None) -> str | None:
    """The reason relations mode gives a row whose value a typed column could not hold."""
    if file_reason is None:
        return None
    return _UNCASTABLE.sub(
        lambda m: f"{m.group(1)}: missing" if m.group(1) in TYPED_NAMES else m.group(0),
        file_reason,
    )


def _value(value: Any) -> Any:
    """A comparable value: None for every missing, naive datetimes; decimals stay exact."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Rows ordered by value (None first); numbers rounded so that 1e-12 cannot reorder."""
    key = []
    for value in row:
        if value is None:
            key.append((0, 0.0, ""))
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            key.append((1, round(float(value), 6), ""))
        else:
            key.append((2, 0.0, str(value)))
    return tuple(key)


def read_rows(
    con: duckdb.DuckDBPyConnection, relation: str, drop: Iterable[str] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, rows sorted by value) of a relation, without the columns in drop."""
    cursor = con.execute(f"select * from {relation}")
    names = [description[0].lower() for description in cursor.description]
    keep = [i for i, name in enumerate(names) if name not in set(drop)]
    rows = [tuple(_value(row[i]) for i in keep) for row in cursor.fetchall()]
    return [names[i] for i in keep], rows


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def same_value(left: Any, right: Any, tolerance: float) -> bool:
    """Equal values: exact numbers (decimals, integers) exactly, whatever their scale; a float
    against any number within tolerance (absolute, or relative for large values), as when one
    engine averages decimals into a double and the other into a decimal."""
    if _number(left) and _number(right):
        if isinstance(left, float) or isinstance(right, float):
            return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)
        return Decimal(left) == Decimal(right)
    return left == right


def mart_differences(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    files_relation: str,
    tables_relation: str,
    tolerance: float = 1e-12,
) -> list[str]:
    """What differs between a mart built from files and the same mart built from tables.

    Row for row after sorting by value, every column (floats within tolerance), except the
    audit's source_row_number; the file build's reasons are rewritten by relations_reason.
    """
    drop = ["source_row_number"] if mart == "audit_rejected_rows" else []
    file_columns, file_rows = read_rows(con, files_relation, drop)
    table_columns, table_rows = read_rows(con, tables_relation, drop)
    if file_columns != table_columns:
        return [f"{mart}: columns {file_columns} vs {table_columns}"]
    if mart == "audit_rejected_rows":
        at = file_columns.index("reason")
        file_rows = sorted(
            ((*row[:at], relations_reason(row[at]), *row[at + 1 :]) for row in file_rows),
            key=sort_key,
        )
    file_rows.sort(key=sort_key)
    table_rows.sort(key=sort_key)
    if len(file_rows) != len(table_rows):
        return [f"{mart}: {len(file_rows)} rows from files, {len(table_rows)} from tables"]
    tolerances = [ORDER_DEPENDENT.get((mart, column), tolerance) for column in file_columns]
    problems = [
        f"{mart}: {file_row} vs {table_row}"
        for file_row, table_row in zip(file_rows, table_rows, strict=True)
        if not all(
            same_value(a, b, limit)
            for a, b, limit in zip(file_row, table_row, tolerances, strict=True)
        )
    ]
    return problems[:5]
