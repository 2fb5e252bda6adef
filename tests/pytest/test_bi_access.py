"""BI access while dbt rebuilds: the published marts stay readable from another process.

Publishing is the on-run-end operation crm_publish_marts (macros/publish/): Parquet files
swapped in atomically and a DuckDB file of views over them, which a rebuild never rewrites.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DBT, PROJECT_DIR, UNIT_TESTS_RUN_ELSEWHERE, run_dbt
from harness import dbt_env, reuse_parse
from mart_equality import MARTS

BI_DATABASE_NAME = "crm_mining_marts.duckdb"
#: A small selection: what is under test is the publication, which is the same for every mart.
SELECTION = [
    *UNIT_TESTS_RUN_ELSEWHERE,
    "test_type:data",
    "--select",
    "+fct_orders",
    "+fct_customer_rfm",
]


def read_published(export_dir: Path) -> dict[str, int]:
    """Row counts of every published mart, read the way a BI tool would: a read-only DuckDB
    connection to the published database, and each mart's Parquet file by its name (during a
    rebuild, DuckDB writes the next one beside it as tmp_<mart>.parquet)."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(export_dir / BI_DATABASE_NAME), read_only=True) as con:
        views = con.execute("select view_name from duckdb_views() where not internal").fetchall()
        for (view,) in views:
            counts[view] = con.execute(f'select count(*) from "{view}"').fetchall()[0][0]
    with duckdb.connect() as con:
        for (view,) in views:
            parquet = export_dir / f"{view}.parquet"
            rows = con.execute("select count(*) from read_parquet(?)", [str(parquet)]).fetchall()
            counts[f"parquet:{view}"] = rows[0][0]
    return counts


@pytest.mark.slow
def test_marts_stay_readable_while_dbt_rebuilds(generated_data: Path, tmp_path: Path) -> None:
    export_dir = tmp_path / "exports"
    first = run_dbt(
        ["build", *SELECTION],
        tmp_path,
        {"data_dir": str(generated_data), "export_dir": str(export_dir)},
    ).check()
    before = read_published(export_dir)
    # every public mart has its view from the first publication; those not built read empty
    assert sorted(name for name in before if ":" not in name) == MARTS
    assert before["dim_products"] == before["parquet:dim_products"] == 0
    with duckdb.connect() as con:  # marked, so that the report reads it as not built
        marked = con.execute(
            "select value::varchar from parquet_kv_metadata(?)"
            " where key::varchar = 'crm_mining_placeholder'",
            [str(export_dir / "dim_products.parquet")],
        ).fetchall()
    assert marked == [("not built yet",)]
    for mart in ("fct_orders", "fct_customer_rfm"):
        assert (
            before[mart]
            == before[f"parquet:{mart}"]
            == first.scalar(f"select count(*) from {mart}")
        )

    # Rebuild as of an earlier date (fewer orders) while another process keeps reading, with
    # the published database held open read-only throughout, as a BI tool would; the rebuild
    # also builds a mart for the first time (dim_products): before, publishing it had to add
    # its view to the held database, and the invocation failed on the file's lock.
    as_of = str(first.scalar("select as_of_date - 200 from int_as_of_date_resolved"))
    env = dbt_env(tmp_path / "rebuild", str(first.db_path), partial_parse=False)
    dbt_vars = {"data_dir": str(generated_data), "export_dir": str(export_dir), "as_of_date": as_of}
    command = [str(DBT), "build", *SELECTION, "+dim_products", "--vars", json.dumps(dbt_vars)]
    log_path = tmp_path / "rebuild.log"  # a file, not a pipe: a full pipe would block dbt
    holder = duckdb.connect(str(export_dir / BI_DATABASE_NAME), read_only=True)
    try:
        with log_path.open("w") as log:
            build = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            observed: list[dict[str, int]] = []
            while build.poll() is None:
                observed.append(read_published(export_dir))  # raises if locked or partial
                time.sleep(0.2)
        assert build.returncode == 0, log_path.read_text()[-4000:]
        held = holder.execute("select count(*) from fct_orders").fetchall()[0][0]
    finally:
        holder.close()

    after = read_published(export_dir)
    assert len(observed) >= 3, "the reader should have run during the build"
    for snapshot in observed:
        # every read saw a complete state: the old files or the new ones
        assert set(snapshot) == set(before)
        for name, count in snapshot.items():
            assert count in (before[name], after[name])
    assert after["fct_orders"] < before["fct_orders"]
    assert held == after["fct_orders"], "a connection held open sees the new data"
    with duckdb.connect(str(first.db_path), read_only=True) as con:
        products = con.execute("select count(*) from dim_products").fetchall()[0][0]
    assert after["dim_products"] == after["parquet:dim_products"] == products > 0


def _result(unique_id: str, status: str, resource_type: str = "model", **node: object) -> dict:
    """A result of dbt's on-run-end `results`, as much of it as the publication reads."""
    name = unique_id.rsplit(".", 1)[1]
    public = {"access": "public", "group": "marts", "materialized": "table"}
    config = public if unique_id.startswith("model.crm_mining.fct_") else {"materialized": "view"}
    return {
        "status": status,
        "node": {
            "unique_id": unique_id, "name": name, "alias": name, "package_name": "crm_mining",
            "resource_type": resource_type, "config": config, **node,
        },
    }  # fmt: skip


def test_a_mart_that_failed_a_test_is_not_published(tmp_path: Path) -> None:
    """crm_marts_to_publish on the results of a build: a mart whose attached test failed or
    errored is withheld, as is every model a failed test attached to none reads; a warning,
    a failed test of another model and an internal model leave the others published."""
    results = [
        _result("model.crm_mining.fct_orders", "success"),
        _result("model.crm_mining.fct_customer_rfm", "success"),
        _result("model.crm_mining.fct_product_sentiment", "success"),
        _result("model.crm_mining.fct_review_sentiment", "success"),
        _result("model.crm_mining.fct_customer_segments", "error"),
        _result("model.crm_mining.int_orders_summarized", "success"),
        _result(
            "test.crm_mining.primary_key_fct_orders_order_id", "fail", "test",
            attached_node="model.crm_mining.fct_orders",
        ),
        _result(
            "test.crm_mining.rfm_checks", "error", "test",
            depends_on={"nodes": ["model.crm_mining.fct_customer_rfm"]},
        ),
        _result(
            "test.crm_mining.row_checks_int", "fail", "test",
            attached_node="model.crm_mining.int_orders_summarized",
        ),
        _result(
            "test.crm_mining.accepted_range_fct_review_sentiment", "warn", "test",
            attached_node="model.crm_mining.fct_review_sentiment",
        ),
    ]  # fmt: skip
    inline = (
        "{% set selected = crm_marts_to_publish(" + json.dumps(results) + ") %}"
        "select {{ crm_sql_string(selected.published | map(attribute='name') | join(',')) }}"
        " as published, {{ crm_sql_string(selected.withheld | join(',')) }} as withheld"
    )
    run = run_dbt(["show", "--inline", inline, "--output", "json"], tmp_path).check()
    shown = json.loads(run.output[run.output.index("{") : run.output.rindex("}") + 1])
    assert shown["show"] == [
        {
            "published": "fct_product_sentiment,fct_review_sentiment",
            "withheld": "fct_customer_rfm,fct_orders",
        }
    ]


#: dbt run in-process (dbtRunner, as an orchestrator's worker does), then a second process
#: tries to open the build database: it can only once dbt has released the file.
IN_PROCESS_RUN = """
import subprocess, sys
from dbt.cli.main import dbtRunner
result = dbtRunner().invoke(sys.argv[1:])
assert result.success, result.exception
probe = "import duckdb; duckdb.connect('crm.duckdb', read_only=True).close()"
opened = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
print("released" if opened.returncode == 0 else "held: " + opened.stderr.strip()[-300:])
"""


def test_in_process_dbt_releases_the_database_when_told(tmp_path: Path) -> None:
    """The profile keeps DuckDB open for a whole invocation (one instance, not one per node);
    CRM_DUCKDB_KEEP_OPEN=false makes an in-process invocation release the file when it ends."""
    args = ["show", "--inline", "select 42 as answer", "--project-dir", str(PROJECT_DIR)]
    runs: dict[str, subprocess.Popen[str]] = {}
    for keep_open in ("true", "false"):
        work_dir = tmp_path / keep_open
        work_dir.mkdir()
        # the session's parse of the project with no vars, when a build has made it
        # (keep_open is not among the profile values that make dbt parse again)
        cached = reuse_parse(work_dir)
        env = {
            **dbt_env(work_dir, "crm.duckdb", partial_parse=cached is not None),
            "CRM_DUCKDB_KEEP_OPEN": keep_open,
        }
        runs[keep_open] = subprocess.Popen(
            [sys.executable, "-c", IN_PROCESS_RUN, *args],
            cwd=work_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    released, held = (runs[keep_open].communicate()[0] for keep_open in ("false", "true"))
    assert released.rstrip().endswith("released"), released[-2000:]
    assert "held: " in held and "lock" in held.lower(), held[-2000:]
