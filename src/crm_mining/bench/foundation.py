"""Benchmark of the foundation: staging, validation, audit and core marts on generated input."""

from __future__ import annotations

from pathlib import Path

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed

FOUNDATION = [
    "--indirect-selection", "cautious",
    "--select", "staging", "intermediate.core", "intermediate.validation",
    "marts.core", "marts.audit",
    "--exclude", "dim_customers+",  # the customer 360 joins every area's marts
]  # fmt: skip


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time `dbt build` of the foundation (models and their data tests) per scale and format."""
    from crm_mining.datagen import customers_for_lines, generate

    scales = [20_000] if quick else [1_000_000, 10_000_000]
    runs = 1 if quick else 3
    results = []
    for lines in scales:
        for fmt in ("parquet", "csv"):
            data_dir = work_dir / f"data_{fmt}_{lines}"
            summary = generate(data_dir, customers=customers_for_lines(lines), seed=7, fmt=fmt)
            env = dbt_env(work_dir / f"dbt_{fmt}_{lines}")
            command = dbt_command(["build", *FOUNDATION], {"data_dir": str(data_dir)})
            median, rss = median_of([run_timed(command, env) for _ in range(runs)])
            results.append(
                BenchResult(
                    area="foundation",
                    benchmark=f"dbt build of staging, validation, core and audit marts ({fmt})",
                    scale=f"{summary.rows['order_items']:,} order lines",
                    runs=runs,
                    median_seconds=median,
                    peak_rss_mb=rss,
                    note="includes dbt start-up and every data test of these models",
                )
            )
    return results
