"""crm_mining installed as a dbt package on Spark: the integration_tests/ project with
`--target spark` (dbt-spark, method: session, local PySpark), its inputs typed Spark tables.

One Spark invocation builds (`dbt run`) the project's own model and the SQL marts that read
every input (orders, products, the audit of every input row, RFM) with everything upstream,
every staging model included, from the bundled sample loaded by load_shop_tables as typed
Parquet tables of the Spark schema raw_shop. Those marts equal the ones DuckDB builds from the
sample files (sample_build), compared as in test_input_relations.py.

What it leaves to other tests, for the time a Spark build takes: the association and
recommendation marts on Spark (SQL downstream of the same staging rows; test_spark_parity.py
compares them on Spark, and test_integration_tests.py compares every mart of the relations
mode on DuckDB), data and unit tests on Spark (test_spark_parity.py). Skipped with the reason
when Java 17+ (or pyspark) is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun
from consumer import consumer_env, consumer_project, run_consumer
from mart_equality import mart_differences

from crm_mining.bench.spark import SPARK_SQL_MARTS, spark_dbt_env, spark_unavailable_reason

MART_SCHEMA = "shop_analytics_crm"  # <target schema shop_analytics>_<+schema crm>
#: The SQL marts built on Spark here (see the docstring).
MARTS = ["fct_orders", "dim_products", "audit_rejected_rows", "audit_input_reconciliation",
         "fct_customer_rfm"]  # fmt: skip


@pytest.fixture(scope="module")
def spark_consumer(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, Path]:
    """The consumer's SQL marts built on Spark; (the run, the warehouse directory)."""
    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(reason)
    work_dir = tmp_path_factory.mktemp("spark_consumer")
    project = consumer_project(work_dir / "checkout")
    env = consumer_env(project, work_dir, spark_dbt_env(work_dir, small_data=True))
    run_consumer(project, ["deps"], env).check()
    setup_args = json.dumps({"source_dir": str(PROJECT_DIR / "seeds")})
    run_consumer(
        project, ["run-operation", "load_shop_tables", "--target", "spark", "--args", setup_args],
        env,
    ).check()  # fmt: skip
    run = run_consumer(
        project,
        [
            "run", "--target", "spark", "--threads", "2",
            "--select", *[f"+{mart}" for mart in MARTS], "+shop_customer_value_tiers",
        ],
        env,
    ).check()  # fmt: skip
    return run, work_dir / "spark" / "warehouse"


def test_marts_are_sql_marts() -> None:
    assert set(MARTS) <= set(SPARK_SQL_MARTS)


def _parquet(warehouse: Path, schema: str, table: str) -> str:
    table_dir = warehouse / f"{schema}.db" / table
    assert any(table_dir.glob("*.parquet")), f"no Parquet file for {schema}.{table} on Spark"
    return f"read_parquet('{table_dir}/*.parquet')"


@pytest.mark.parametrize("mart", MARTS)
def test_sql_mart_from_spark_tables_equals_duckdb_from_files(
    mart: str, spark_consumer: tuple[DbtRun, Path], sample_build: DbtRun
) -> None:
    _, warehouse = spark_consumer
    with duckdb.connect() as con:
        con.execute("set timezone = 'UTC'")
        con.execute(f"attach '{sample_build.db_path}' as files (read_only)")
        problems = mart_differences(
            con, mart, f"files.main.{mart}", _parquet(warehouse, MART_SCHEMA, mart), 1e-9
        )
    assert not problems, "\n".join(problems)


def test_own_model_on_a_mart_builds_on_spark(
    spark_consumer: tuple[DbtRun, Path], sample_build: DbtRun
) -> None:
    _, warehouse = spark_consumer
    with duckdb.connect() as con:
        # The inputs were typed Spark tables: integers and decimals, not text.
        types = dict(
            con.execute(
                "select column_name, column_type from (describe select * from "
                + _parquet(warehouse, "raw_shop", "order_lines")
                + ")"
            ).fetchall()
        )
        assert types["quantity"] == "INTEGER" and types["unit_price"] == "DECIMAL(10,2)"
        con.execute(f"attach '{sample_build.db_path}' as files (read_only)")
        tiers = con.execute(
            "select value_tier, customer_count from "
            + _parquet(warehouse, "shop_analytics_analytics", "shop_customer_value_tiers")
        ).fetchall()
        expected = con.execute(
            "select value_tier, count(*) from files.main.fct_customer_rfm group by 1"
        ).fetchall()
    assert sorted(tiers) == sorted(expected) and len(tiers) == 3
