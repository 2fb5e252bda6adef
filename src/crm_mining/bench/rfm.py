"""Benchmark of the RFM models: build fct_customer_rfm and its two intermediate models on about
10 million generated order lines (the upstream models are built once, untimed)."""

from __future__ import annotations

import os
from pathlib import Path

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed

RFM_MODELS = ["int_customers_rfm_aggregated", "int_customers_rfm_scored", "fct_customer_rfm"]
UPSTREAM = ["+int_order_lines_cleaned", "+int_as_of_date_resolved"]


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time `dbt run` and `dbt build` (models, data tests and unit tests) of the RFM models."""
    from crm_mining.datagen import customers_for_lines, generate

    target_lines = 20_000 if quick else 10_000_000
    runs = 1 if quick else 3
    data_dir = work_dir / "data"
    summary = generate(
        data_dir, customers=customers_for_lines(target_lines), seed=7, fmt="parquet", reviews=False
    )
    lines = summary.rows["order_items"]
    env = dbt_env(work_dir / "dbt")
    dbt_vars = {"data_dir": str(data_dir)}
    run_timed(dbt_command(["run", "--select", *UPSTREAM], dbt_vars), env)
    db_path = work_dir / "dbt" / "crm.duckdb"
    kept = _scalar(db_path, "select count(*) from int_order_lines_cleaned")
    results = []
    for verb in ("run", "build"):
        load = os.getloadavg()[0]
        timings = [
            run_timed(dbt_command([verb, "--select", *RFM_MODELS], dbt_vars), env)
            for _ in range(runs)
        ]
        customers = _scalar(db_path, "select count(*) from fct_customer_rfm")
        median, rss = median_of(timings)
        what = "models" if verb == "run" else "models + data tests + unit tests"
        results.append(
            BenchResult(
                area="rfm",
                benchmark=f"dbt {verb} of the 3 RFM models ({what})",
                scale=f"{lines:,} order lines ({kept:,} kept), {customers:,} customers",
                runs=runs,
                median_seconds=median,
                peak_rss_mb=rss,
                note=(
                    "upstream built once, untimed; times include dbt start-up; "
                    f"1-min load average {load:.1f} before the runs"
                ),
            )
        )
    return results


def _scalar(db_path: Path, sql: str) -> int:
    """One integer from the benchmark's database (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return int(con.sql(sql).fetchall()[0][0])
