"""Spark support helpers and the Spark benchmark: `dbt build` of the SQL models on about 10
million generated order lines on local Spark (dbt-spark, method: session) vs DuckDB.

The helpers (Java detection, the environment of a dbt invocation on the `spark` target, the
selection of the models that build on Spark) are shared with tests/pytest/test_spark*.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed

# Spark 4 (pyspark 4.x, pinned in requirements.txt) runs on Java 17 or later.
MIN_JAVA = 17

# The SQL marts that build on Spark, with every model upstream of them (dbt selectors).
SPARK_SQL_MARTS = [
    "fct_orders",
    "dim_products",
    "audit_rejected_rows",
    "audit_input_reconciliation",
    "fct_customer_rfm",
]
SPARK_SELECTOR = [f"+{mart}" for mart in SPARK_SQL_MARTS]


def java_major_version() -> int | None:
    """Major version of the `java` on PATH (or JAVA_HOME), None when there is none."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java:
        return None
    try:
        completed = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if completed.returncode != 0 or not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8" is Java 8


def spark_unavailable_reason() -> str | None:
    """Why the spark target cannot run here (no Java 17+, no pyspark), or None when it can."""
    version = java_major_version()
    if version is None:
        return "Spark tests need Java 17+: `java -version` failed (no Java on PATH/JAVA_HOME)"
    if version < MIN_JAVA:
        return f"Spark tests need Java {MIN_JAVA}+: `java -version` reports Java {version}"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "Spark tests need pyspark and dbt-spark[session] (pip install -r requirements.txt)"
    return None


def spark_dbt_env(work_dir: Path, cores: int = 2, driver_memory: str = "2g") -> dict[str, str]:
    """Environment of a dbt invocation on the spark target with its own warehouse/metastore."""
    env = dbt_env(work_dir)
    env.update(
        {
            "CRM_SPARK_DIR": str(work_dir / "spark"),
            "CRM_SPARK_CORES": str(cores),
            "CRM_SPARK_DRIVER_MEMORY": driver_memory,
            "DBT_PARTIAL_PARSE": "False",
        }
    )
    return env


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time `dbt build` of the SQL models that build on Spark, on Spark and on DuckDB."""
    return benchmark(work_dir, 20_000 if quick else 10_000_000, 1 if quick else 3)


def benchmark(work_dir: Path, target_lines: int, runs: int) -> list[BenchResult]:
    """The Spark vs DuckDB build on about target_lines generated order lines, runs each."""
    from crm_mining.datagen import customers_for_lines, generate

    data_dir = work_dir / "data"
    summary = generate(
        data_dir, customers=customers_for_lines(target_lines), seed=7, fmt="parquet", reviews=False
    )
    lines = summary.rows["order_items"]
    dbt_vars = {"data_dir": str(data_dir)}
    build = ["build", "--select", *SPARK_SELECTOR, "--indirect-selection", "cautious"]
    results = []
    for engine in ("duckdb", "spark"):
        load = os.getloadavg()[0]
        timings = []
        for attempt in range(runs):
            dbt_dir = work_dir / f"{engine}_{attempt}"
            shutil.rmtree(dbt_dir, ignore_errors=True)
            if engine == "spark":
                env = spark_dbt_env(dbt_dir, driver_memory="4g")
                command = dbt_command([*build, "--target", "spark"], dbt_vars)
            else:
                env = dbt_env(dbt_dir)
                command = dbt_command(build, dbt_vars)
            timings.append(run_timed(command, env))
            shutil.rmtree(dbt_dir / "spark", ignore_errors=True)
        median, rss = median_of(timings)
        results.append(
            BenchResult(
                area="spark",
                benchmark=(
                    f"dbt build of the SQL marts that build on Spark and their upstream "
                    f"({', '.join(SPARK_SQL_MARTS)}) on {engine}"
                    + (" (local[2], method: session, Parquet tables)" if engine == "spark" else "")
                ),
                scale=f"{lines:,} order lines (Parquet input)",
                runs=runs,
                median_seconds=median,
                peak_rss_mb=rss,
                note=(
                    "fresh database/warehouse per run; times include dbt and JVM start-up; "
                    f"1-min load average {load:.1f} before the runs"
                ),
            )
        )
    return results


if __name__ == "__main__":
    import argparse

    from crm_mining.bench.__main__ import render

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    bench_results = benchmark(args.work_dir, args.lines, args.runs)
    args.out.write_text(render(bench_results, time.perf_counter() - started))
    print(args.out.read_text())
