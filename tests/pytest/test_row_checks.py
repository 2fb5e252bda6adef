"""The `row_checks` generic test (tests/generic/row_checks.sql): a model's row-level rules (not
null, ranges, accepted values, invariants) read in one scan. Its compiled SQL, run on a copy of
the sample's warehouse with rows broken on purpose, names each broken rule with its row count,
and finds nothing on the warehouse as built: folding the rules into one test lost none. The
same for `primary_key` (tests/generic/primary_key.sql), a key's `unique` and `not_null`."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import DbtRun


def compiled_test(build: DbtRun, model: str, name: str = "*_row_checks") -> str:
    """The compiled SQL of the data test `name` (a glob; by default the row_checks test) of
    `model` in the build's target."""
    compiled = build.work_dir / "target" / "compiled"
    found = [
        path for path in compiled.rglob(f"{name}.sql") if f'"main"."{model}"\n' in path.read_text()
    ]
    assert len(found) == 1, found
    return found[0].read_text()


def test_row_checks_name_every_broken_rule(sample_build: DbtRun, tmp_path: Path) -> None:
    copy = tmp_path / sample_build.db_path.name  # same file name: same catalog in the SQL
    shutil.copy(sample_build.db_path, copy)
    sql = compiled_test(sample_build, "dim_customers")
    with duckdb.connect(str(copy)) as con:
        assert con.sql(sql).fetchall() == []
        first, second = (
            row[0]
            for row in con.sql(
                "select customer_id from dim_customers where has_purchase "
                "order by customer_id limit 2"
            ).fetchall()
        )
        con.execute(
            "update dim_customers set value_tier = 'platinum', churn_probability = 1.5 "
            f"where customer_id = '{first}'"
        )
        con.execute(f"update dim_customers set frequency = null where customer_id = '{second}'")
        failed = dict(con.sql(sql).fetchall())
    assert failed == {
        "value_tier in accepted values": 1,
        "churn_probability in [0, 1]": 1,
        "has_purchase = (frequency is not null)": 1,
        "not has_purchase or order_count >= frequency": 1,  # null is a failure, not a pass
    }


def test_not_null_rules_count_missing_values(sample_build: DbtRun, tmp_path: Path) -> None:
    copy = tmp_path / sample_build.db_path.name
    shutil.copy(sample_build.db_path, copy)
    sql = compiled_test(sample_build, "dim_products")
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update dim_products set category = null "
            "where product_id in (select product_id from dim_products order by 1 limit 3)"
        )
        failed = dict(con.sql(sql).fetchall())
    assert failed == {"category is not null": 3}


def test_table_rules_fail_on_an_empty_table(sample_build: DbtRun, tmp_path: Path) -> None:
    """A rule about the whole table (its row count against another model's) is evaluated once,
    not once per row: before, on a table emptied by a broken model, it had no row to fail on
    and the test passed."""
    copy = tmp_path / sample_build.db_path.name
    shutil.copy(sample_build.db_path, copy)
    sql = compiled_test(
        sample_build, "fct_customer_lifetime_value", "fct_customer_lifetime_value_row_checks"
    )
    with duckdb.connect(str(copy)) as con:
        assert con.sql(sql).fetchall() == []
        con.execute("delete from fct_customer_lifetime_value")
        failed = dict(con.sql(sql).fetchall())
    assert len(failed) == 1, failed
    ((rule, rows),) = failed.items()
    assert "= (select count(*) from" in rule and "fct_customer_rfm" in rule and rows == 1


def test_primary_key_finds_duplicated_and_null_keys(sample_build: DbtRun, tmp_path: Path) -> None:
    """`primary_key` (tests/generic/primary_key.sql): dbt's `unique` and `not_null` of a key
    in one test; it fails with each duplicated value and the null key, with their rows."""
    copy = tmp_path / sample_build.db_path.name
    shutil.copy(sample_build.db_path, copy)
    sql = compiled_test(sample_build, "dim_products", "primary_key_dim_products_product_id")
    with duckdb.connect(str(copy)) as con:
        assert con.sql(sql).fetchall() == []
        # A copy without the contract's NOT NULL constraint, which DuckDB enforces.
        con.execute("create or replace table dim_products as select * from dim_products")
        first, second, third = (
            row[0]
            for row in con.sql(
                "select product_id from dim_products order by product_id limit 3"
            ).fetchall()
        )
        con.execute(
            f"insert into dim_products select * from dim_products where product_id = '{first}'"
        )
        con.execute(
            f"update dim_products set product_id = null where product_id in ('{second}', '{third}')"
        )
        failed = sorted(con.sql(sql).fetchall(), key=str)
    assert failed == sorted([(first, 2), (None, 2)], key=str)
