"""Parity of Spark and DuckDB: on the bundled sample, every SQL mart that builds on Spark
(dbt-spark, method: session, local PySpark) holds the same rows as on DuckDB, floats within
1e-9. Skipped with the reason when Java 17+ (or pyspark) is missing.

The Spark build runs `dbt build` (models, seeds, data tests, unit tests) of the marts and
everything upstream, with its own warehouse and Derby metastore under a temporary directory.
Its tables are Parquet files (Spark's default table format); they are read after the dbt
process has ended, straight from the warehouse directory.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crm_mining.bench.spark import (
    SPARK_SELECTOR,
    SPARK_SQL_MARTS,
    spark_dbt_env,
    spark_unavailable_reason,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQL marts built on Spark from the bundled sample; the warehouse directory."""
    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(reason)
    work_dir = tmp_path_factory.mktemp("spark_build")
    env = {**os.environ, **spark_dbt_env(work_dir)}
    command = [
        str(DBT), "build", "--target", "spark", "--select", *SPARK_SELECTOR,
        "--indirect-selection", "cautious",
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    output = "\n".join(
        line
        for line in (completed.stdout + completed.stderr).splitlines()
        if not line.startswith('{"ts"')  # PySpark's JSON error log: the dbt lines say it
    )
    assert completed.returncode == 0, f"dbt build --target spark failed:\n{output[-8000:]}"
    assert "ERROR=0" in output and "PASS=" in output
    return work_dir / "spark" / "warehouse" / "crm_mining.db"


def _value(value: Any) -> Any:
    """A comparable Python value: None for missing, floats for numbers, dates as dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Order rows by their values (None first), floats rounded so 1e-12 noise cannot reorder."""
    return tuple(
        (value is not None, round(value, 6) if isinstance(value, float) else value) for value in row
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names (lower case) and rows of a query, sorted, as comparable values."""
    relation = con.sql(sql)
    columns = [name.lower() for name in relation.columns]
    rows = [tuple(_value(v) for v in row) for row in relation.fetchall()]
    return columns, sorted(rows, key=_sort_key)


def _same(left: Any, right: Any) -> bool:
    """Equal values; floats within 1e-9 (absolute, or relative for large values)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return left == right


@pytest.mark.parametrize("mart", SPARK_SQL_MARTS)
def test_mart_on_spark_equals_duckdb(mart: str, spark_build: Path, sample_build: Any) -> None:
    table_dir = spark_build / mart
    assert any(table_dir.glob("*.parquet")), f"no Parquet file for {mart} in {table_dir}"
    with duckdb.connect() as con:
        con.sql("set timezone = 'UTC'")
        spark_columns, spark_rows = _rows(
            con, f"select * from read_parquet('{table_dir}/*.parquet')"
        )
        con.sql(f"attach '{sample_build.db_path}' as duck (read_only)")
        duck_columns, duck_rows = _rows(con, f"select * from duck.main.{mart}")
    assert spark_columns == duck_columns
    assert len(spark_rows) == len(duck_rows) > 0
    mismatches = [
        (duck_row, spark_row)
        for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True)
        if not all(_same(a, b) for a, b in zip(duck_row, spark_row, strict=True))
    ]
    assert not mismatches, f"{mart}: {len(mismatches)} rows differ, first: {mismatches[:3]}"
