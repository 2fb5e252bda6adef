"""Deterministic to the bit: the same input and vars give byte-identical tables, whatever the
thread count of dbt and of DuckDB (money is exact DECIMAL, float aggregates run in a fixed
order or are rounded at a documented precision, seeds are fixed).

The session's sample build runs with the project profile (dbt threads 2, DuckDB's default of
one thread per core), its other builds with dbt on one thread (harness.SUITE_DBT_THREADS) and
DuckDB's default; each build here runs the same data again into a new database (the sentiment
score cache from scratch too) with dbt and DuckDB at 1 thread (the bundled sample) or 4
threads (generated data), and every column of every table the project builds (marts and
intermediate tables, the Python models' included) is compared as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DbtRun
from harness import run_dbt


def built_tables(run: DbtRun) -> list[str]:
    """Every model of the project materialized as a table (marts, intermediate, Python)."""
    manifest: dict[str, Any] = run.manifest()
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == "crm_mining"
        and node["config"]["materialized"] in ("table", "incremental")
    )


def differing_tables(first: DbtRun, second: DbtRun) -> dict[str, int]:
    """Tables whose rows differ (every column cast to text, rows as multisets): name -> rows."""
    differences: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first.db_path}' as first_build (read_only)")
        con.execute(f"attach '{second.db_path}' as second_build (read_only)")
        for table in built_tables(first):
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from duckdb_columns() where database_name = "
                    "'first_build' and table_name = ? order by column_index",
                    [table],
                ).fetchall()
            ]
            as_text = ", ".join(
                f'cast("{column}" as varchar) as text_{position}'
                for position, column in enumerate(columns)
            )
            query = (
                f"select count(*) from ((select {as_text} from first_build.main.{table} "
                f"except all select {as_text} from second_build.main.{table}) union all "
                f"(select {as_text} from second_build.main.{table} "
                f"except all select {as_text} from first_build.main.{table}))"
            )
            count = con.execute(query).fetchall()[0][0]
            if count:
                differences[table] = count
    return differences


@pytest.mark.parametrize(("dataset", "threads"), [("sample", 1), ("generated", 4)])
def test_rebuilds_are_byte_identical_whatever_the_threads(
    dataset: str,
    threads: int,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference: DbtRun = request.getfixturevalue(f"{dataset}_build")
    dbt_vars = {}
    if dataset == "generated":
        dbt_vars = {"data_dir": str(request.getfixturevalue("generated_data"))}
    # dbt's threads from the command line, DuckDB's from the profile (crm_mining.duckdb_settings)
    monkeypatch.setenv("CRM_DUCKDB_THREADS", str(threads))
    rebuilt = run_dbt(
        [
            "build",
            "--threads",
            str(threads),
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
        ],
        tmp_path,
        dbt_vars,
    ).check()
    assert differing_tables(reference, rebuilt) == {}
