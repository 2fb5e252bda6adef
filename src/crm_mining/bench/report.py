"""Benchmark of the HTML report: `python -m crm_mining.report` on a whole build of about
10 million generated order lines (the data and the dbt build are made once, untimed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time the report (Python start-up and imports included) and measure its HTML size."""
    from crm_mining.datagen import customers_for_lines, generate

    target_lines = 20_000 if quick else 10_000_000
    runs = 1 if quick else 3
    data_dir = work_dir / "data"
    summary = generate(data_dir, customers=customers_for_lines(target_lines), seed=5,
                       fmt="parquet")  # fmt: skip
    env = dbt_env(work_dir / "dbt")
    run_timed(dbt_command(["build"], {"data_dir": str(data_dir)}), env)
    out = work_dir / "report.html"
    command = [sys.executable, "-m", "crm_mining.report", "--out", str(out)]
    load = os.getloadavg()[0]
    median, rss = median_of([run_timed(command, env) for _ in range(runs)])
    return [
        BenchResult(
            area="report",
            benchmark="python -m crm_mining.report (whole report, charts rendered)",
            scale=f"{summary.rows['order_items']:,} order lines",
            runs=runs,
            median_seconds=median,
            peak_rss_mb=rss,
            note=(
                f"HTML {out.stat().st_size / 1e6:.2f} MB; includes Python start-up and imports; "
                f"dbt build untimed; 1-min load average {load:.1f} before the runs"
            ),
        )
    ]
