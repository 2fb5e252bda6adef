"""Benchmark of the whole project: plain `dbt build` (every model, data test and unit test) on
generated data, as a user's nightly build runs it.

Each run starts from a fresh warehouse (no incremental state). The note of each scale names
the ten slowest nodes of the median run, from dbt's run_results.json.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from crm_mining.bench.common import (
    BenchResult,
    Timing,
    dbt_command,
    dbt_env,
    run_timed,
)

#: Order lines of the default scales, and of the out-of-core run (opt-in area build_100m).
SCALES = (1_000_000, 10_000_000)
OUT_OF_CORE_LINES = 100_000_000
OUT_OF_CORE_MEMORY_LIMIT = "8GiB"


def slowest_nodes(work_dir: Path, count: int = 10) -> list[tuple[str, float]]:
    """The `count` slowest nodes of the last invocation in work_dir: (name, seconds)."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results]
    return sorted(timed, key=lambda item: (-item[1], item[0]))[:count]


def whole_build(data_dir: Path, work_dir: Path, extra_env: dict[str, str] | None = None) -> Timing:
    """One `dbt build` of the whole project on data_dir into a fresh warehouse."""
    shutil.rmtree(work_dir, ignore_errors=True)
    env = {**dbt_env(work_dir), **(extra_env or {})}
    return run_timed(dbt_command(["build"], {"data_dir": str(data_dir)}), env)


def measure(
    lines: int, runs: int, work_dir: Path, extra_env: dict[str, str] | None = None, note: str = ""
) -> BenchResult:
    """Median wall time and peak RSS of `runs` whole builds on about `lines` order lines."""
    from crm_mining.datagen import customers_for_lines, generate

    data_dir = work_dir / f"data_{lines}"
    summary = generate(data_dir, customers=customers_for_lines(lines), seed=7, fmt="parquet")
    outcomes = []
    for run in range(runs):
        run_dir = work_dir / f"build_{lines}_{run}"
        timing = whole_build(data_dir, run_dir, extra_env)
        outcomes.append((timing, slowest_nodes(run_dir)))
    outcomes.sort(key=lambda outcome: outcome[0].seconds)
    median_timing, top = outcomes[len(outcomes) // 2]
    top_text = ", ".join(f"{name} {seconds:.1f}" for name, seconds in top)
    return BenchResult(
        area="build",
        benchmark="whole dbt build (models, data and unit tests), fresh warehouse",
        scale=f"{summary.rows['order_items']:,} order lines",
        runs=runs,
        median_seconds=median_timing.seconds,
        peak_rss_mb=max(timing.peak_rss_mb for timing, _ in outcomes),
        note=(note + "; " if note else "") + f"slowest nodes (s): {top_text}",
    )


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Whole builds at 1M and 10M order lines (medians of 3)."""
    scales = (20_000,) if quick else SCALES
    runs = 1 if quick else 3
    return [measure(lines, runs, work_dir) for lines in scales]


def run_out_of_core(work_dir: Path, quick: bool) -> list[BenchResult]:
    """One whole build at 100M order lines with DuckDB capped at 8 GiB (spilling to disk)."""
    lines = 200_000 if quick else OUT_OF_CORE_LINES
    env = {
        "CRM_DUCKDB_MEMORY_LIMIT": os.environ.get(
            "CRM_DUCKDB_MEMORY_LIMIT", OUT_OF_CORE_MEMORY_LIMIT
        )
    }
    note = f"CRM_DUCKDB_MEMORY_LIMIT={env['CRM_DUCKDB_MEMORY_LIMIT']}"
    return [measure(lines, 1, work_dir, env, note)]
