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
from crm_mining.bench.memory_cap import (
    SAMPLE_SECONDS,
    MemoryCap,
    parse_bytes,
    unavailable_reason,
)

#: Order lines of the default scales, and of the out-of-core run (opt-in area build_100m).
SCALES = (1_000_000, 10_000_000)
OUT_OF_CORE_LINES = 100_000_000
#: DuckDB's memory limit in the out-of-core run, below the cap of the whole build: the Python
#: models' frames and the sentiment workers live beside DuckDB's buffers.
OUT_OF_CORE_MEMORY_LIMIT = "5GiB"
OUT_OF_CORE_MEMORY_CAP = "8GiB"
#: DuckDB's threads in the out-of-core run: on two threads under that limit, the sorts and
#: aggregates of fct_customer_recommendations spilled until the disk was full.
OUT_OF_CORE_DUCKDB_THREADS = "1"
#: The bench area of the out-of-core run (its module, build_100m): its row of
#: docs/benchmarks.md is kept apart from the 1M and 10M rows of the area build.
OUT_OF_CORE_AREA = "build_100m"


def slowest_nodes(work_dir: Path, count: int = 10) -> list[tuple[str, float]]:
    """The `count` slowest nodes of the last invocation in work_dir: (name, seconds)."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results]
    return sorted(timed, key=lambda item: (-item[1], item[0]))[:count]


def whole_build(
    data_dir: Path,
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
    memory_cap_bytes: int | None = None,
) -> Timing:
    """One `dbt build` of the whole project on data_dir into a fresh warehouse, in a memory
    cgroup where one can be made (MemoryCap): the peak of the whole build's memory, the Python
    models' worker processes included, each page counted once. Under a hard cap when
    memory_cap_bytes is given, with one dbt thread: a Python model then never holds its frames
    while DuckDB runs another model beside it at its own limit."""
    shutil.rmtree(work_dir, ignore_errors=True)
    env = {**dbt_env(work_dir), **(extra_env or {})}
    threads = [] if memory_cap_bytes is None else ["--threads", "1"]
    command = dbt_command(["build", *threads], {"data_dir": str(data_dir)})
    if memory_cap_bytes is None and unavailable_reason() is not None:
        return run_timed(command, env)
    with MemoryCap(memory_cap_bytes) as cap:
        return run_timed(command, env, memory_cap=cap)


def peak_note(timings: list[Timing]) -> tuple[float, str]:
    """The peak memory of several runs (MB) and what it measured.

    In a memory cgroup (every run): the larger of the cgroup's peak (the whole build's
    resident memory, each page counted once, its worker processes included) and the largest
    process's RSS. The cgroup is charged only for the file pages its processes bring in first:
    shared libraries already in memory (DuckDB's, Python's) are charged to whoever loaded them,
    so a small build's cgroup peak can be below its largest process's RSS. Else the RSS of the
    largest process (the dbt process: DuckDB and the Python models' frames, not their
    workers)."""
    largest_process = max(timing.peak_rss_mb for timing in timings)
    if all(timing.peak_cgroup_mb is not None for timing in timings):
        cgroup = max(timing.peak_cgroup_mb or 0.0 for timing in timings)
        return (
            max(cgroup, largest_process),
            "peak: the larger of the whole build's resident memory in its cgroup (each page"
            f" counted once, worker processes included, sampled every {SAMPLE_SECONDS:g} s:"
            f" {cgroup:,.0f} MB) and the largest process's RSS ({largest_process:,.0f} MB)",
        )
    return largest_process, "peak: RSS of the largest process"


def measure(
    lines: int,
    runs: int,
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
    note: str = "",
    memory_cap_bytes: int | None = None,
    area: str = "build",
) -> BenchResult:
    """Median wall time and peak memory (peak_note) of `runs` whole builds on about `lines`
    order lines, under a hard cap when memory_cap_bytes is given. The note gives the median
    run's CPU time (user + system), the work done whatever else the machine ran. area: the
    bench area whose row this is (a run replaces the rows of the areas it ran,
    crm_mining.bench.page)."""
    from crm_mining.datagen import customers_for_lines, generate

    data_dir = work_dir / f"data_{lines}"
    summary = generate(data_dir, customers=customers_for_lines(lines), seed=7, fmt="parquet")
    outcomes = []
    for run in range(runs):
        run_dir = work_dir / f"build_{lines}_{run}"
        timing = whole_build(data_dir, run_dir, extra_env, memory_cap_bytes)
        outcomes.append((timing, slowest_nodes(run_dir)))
    outcomes.sort(key=lambda outcome: outcome[0].seconds)
    median_timing, top = outcomes[len(outcomes) // 2]
    top_text = ", ".join(f"{name} {seconds:.1f}" for name, seconds in top)
    peak_mb, peak_text = peak_note([timing for timing, _ in outcomes])
    return BenchResult(
        area=area,
        benchmark="whole dbt build (models, data and unit tests), fresh warehouse",
        scale=f"{summary.rows['order_items']:,} order lines",
        runs=runs,
        median_seconds=median_timing.seconds,
        peak_rss_mb=peak_mb,
        note=(note + "; " if note else "")
        + f"{peak_text}; CPU of the median run {median_timing.cpu_seconds:.0f} s (user + system); "
        + f"slowest nodes (s): {top_text}",
    )


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Whole builds at 1M and 10M order lines (medians of 3)."""
    scales = (20_000,) if quick else SCALES
    runs = 1 if quick else 3
    return [measure(lines, runs, work_dir) for lines in scales]


def run_out_of_core(work_dir: Path, quick: bool) -> list[BenchResult]:
    """One whole build at 100M order lines, DuckDB on OUT_OF_CORE_DUCKDB_THREADS spilling to
    disk beyond OUT_OF_CORE_MEMORY_LIMIT, the whole build under a hard cap of
    OUT_OF_CORE_MEMORY_CAP where a memory cgroup can be made (CRM_DUCKDB_THREADS,
    CRM_DUCKDB_MEMORY_LIMIT and CRM_BENCH_MEMORY_CAP override them; CRM_BENCH_MEMORY_CAP=none:
    no cap)."""
    lines = 200_000 if quick else OUT_OF_CORE_LINES
    limit = os.environ.get("CRM_DUCKDB_MEMORY_LIMIT", OUT_OF_CORE_MEMORY_LIMIT)
    duckdb_threads = os.environ.get("CRM_DUCKDB_THREADS", OUT_OF_CORE_DUCKDB_THREADS)
    cap_text = os.environ.get("CRM_BENCH_MEMORY_CAP", OUT_OF_CORE_MEMORY_CAP)
    note = f"CRM_DUCKDB_MEMORY_LIMIT={limit}, CRM_DUCKDB_THREADS={duckdb_threads}"
    cap_bytes = None
    if cap_text.lower() != "none":
        reason = unavailable_reason()
        if reason is None:
            cap_bytes = parse_bytes(cap_text)
            note += f", dbt --threads 1, whole build capped at {cap_text}"
        else:
            note += f", not capped ({reason})"
    env = {"CRM_DUCKDB_MEMORY_LIMIT": limit, "CRM_DUCKDB_THREADS": duckdb_threads}
    return [measure(lines, 1, work_dir, env, note, cap_bytes, area=OUT_OF_CORE_AREA)]
