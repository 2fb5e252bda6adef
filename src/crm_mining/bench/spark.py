"""Spark support helpers and the Spark benchmark: `dbt build` of the SQL models on about 10
million generated order lines on local Spark (dbt-spark, method: session) vs DuckDB.

The helpers (Java detection, the environment of a dbt invocation on the `spark` target, the
marts that build on Spark and their dbt selectors) are shared with tests/pytest/test_spark*.py.

The benchmark is opt-in (it takes long): `python -m crm_mining.bench --only spark`, or
`CRM_BENCH_SPARK=1 make bench`; CRM_BENCH_SPARK_LINES (default 10,000,000) and
CRM_BENCH_SPARK_RUNS (default 3) set its size. Or run this module directly:
`python -m crm_mining.bench.spark --lines N --runs R --work-dir DIR --out FILE`.
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

# The marts computed by SQL alone (no Python model upstream): on Spark they hold the same
# rows as on DuckDB. The benchmark times them (with everything upstream) on both engines.
SPARK_SQL_MARTS = [
    "fct_orders",
    "dim_products",
    "audit_rejected_rows",
    "audit_input_reconciliation",
    "fct_customer_rfm",
    "fct_item_pair_associations",
    "fct_category_pair_associations",
    "fct_customer_recommendations",
    "fct_customer_buy_again",
    "fct_recommendation_evaluation",
]
# The marts that read a dbt Python model. On targets without Python models (dbt-spark
# session/thrift) those are disabled and these marts build with null ML columns.
SPARK_ML_MARTS = [
    "fct_review_sentiment",
    "fct_product_sentiment",
    "fct_customer_segments",
    "dim_segment_personas",
    "fct_segmentation_model_metrics",
    "fct_customer_churn_scores",
    "fct_churn_model_metrics",
    "fct_churn_feature_importance",
    "fct_churn_calibration",
    "fct_customer_lifetime_value",
    "fct_clv_model_metrics",
    "dim_customers",
]
# dbt selectors: every mart that builds on Spark with everything upstream (the parity test),
# and the SQL marts only (the benchmark: on DuckDB the others would run the Python models).
SPARK_SELECTOR = [f"+{mart}" for mart in SPARK_SQL_MARTS + SPARK_ML_MARTS]
SPARK_SQL_SELECTOR = [f"+{mart}" for mart in SPARK_SQL_MARTS]

# Spark settings of every local run, passed to the JVM of dbt-spark's session: the embedded
# Derby metastore refuses a view whose column comments (dbt's persist_docs) exceed its column
# sizes; Hive retries that 10 times, 2 s apart, before Spark stores the view its own way.
LOCAL_SPARK_CONF = {"spark.hadoop.hive.hmshandler.retry.attempts": "1"}
# For small data (the bundled sample, unit-test fixtures): no adaptive re-planning after each
# of the many tiny stages, no generated Java code, for whole stages or single expressions
# (compiling it costs more than running interpreted on a few thousand rows; factoryMode is an
# internal setting of Spark's, results are the same); with one shuffle partition
# (CRM_SPARK_SHUFFLE_PARTITIONS).
SMALL_DATA_SPARK_CONF = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
# The JVM options for small data (CRM_SPARK_JAVA_OPTIONS):
# - a 2 GB heap of short-lived objects, on which the serial collector spends less CPU than G1
#   (the parity build: 215 CPU-s against 250, alternating runs);
# - JIT thresholds ten times the default. A short run of a few hundred small queries spent
#   most of the JVM's CPU compiling Spark's planner code (the parity build, -XX:+CITime: 112
#   and 127 s of 159 and 179 s); compiled only where it stays hot, 60 s of 136 and 137 s, the
#   same nodes passing (alternating runs, 2026-12-02). Compiling less still (x30: 166 s) or
#   with the quick compiler alone (-XX:TieredStopAtLevel=1: 149 and 173 s) left slow code
#   running longer.
SMALL_DATA_JAVA_OPTIONS = "-XX:+UseSerialGC -XX:CompileThresholdScaling=10"


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
    """Why the spark target cannot run here (no Java 17+), or None when it can.

    Java is a system package, which a machine may lack: the Spark tests and benchmark then skip
    with this reason. pyspark is not checked: requirements.txt pins it, so a pyspark that does
    not import is a broken install, and the tests that need it fail on the ImportError rather
    than skip.
    """
    version = java_major_version()
    if version is None:
        return "Spark tests need Java 17+: `java -version` failed (no Java on PATH/JAVA_HOME)"
    if version < MIN_JAVA:
        return f"Spark tests need Java {MIN_JAVA}+: `java -version` reports Java {version}"
    return None


def spark_dbt_env(
    work_dir: Path, cores: int = 2, driver_memory: str = "2g", small_data: bool = False
) -> dict[str, str]:
    """Environment of a dbt invocation on the spark target with its own warehouse/metastore.

    LOCAL_SPARK_CONF (and with small_data, SMALL_DATA_SPARK_CONF and one shuffle partition)
    go through PYSPARK_SUBMIT_ARGS, read by PySpark when it starts the JVM; with small_data,
    the JVM also gets SMALL_DATA_JAVA_OPTIONS (CRM_SPARK_JAVA_OPTIONS).
    """
    env = dbt_env(work_dir)
    conf = dict(LOCAL_SPARK_CONF)
    if small_data:
        conf.update(SMALL_DATA_SPARK_CONF)
        env["CRM_SPARK_SHUFFLE_PARTITIONS"] = "1"
        env["CRM_SPARK_JAVA_OPTIONS"] = SMALL_DATA_JAVA_OPTIONS
    env.update(
        {
            "CRM_SPARK_DIR": str(work_dir / "spark"),
            "CRM_SPARK_CORES": str(cores),
            "CRM_SPARK_DRIVER_MEMORY": driver_memory,
            "DBT_PARTIAL_PARSE": "False",
            "PYSPARK_SUBMIT_ARGS": " ".join(f"--conf {key}={value}" for key, value in conf.items())
            + " pyspark-shell",
        }
    )
    return env


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time `dbt build` of the SQL marts on Spark and on DuckDB (opt-in: see the docstring)."""
    reason = spark_unavailable_reason()
    if reason:
        print(f"[bench] spark: skipped, {reason}")
        return []
    if quick:
        return benchmark(work_dir, 20_000, 1)
    lines = int(os.environ.get("CRM_BENCH_SPARK_LINES", "10000000"))
    runs = int(os.environ.get("CRM_BENCH_SPARK_RUNS", "3"))
    return benchmark(work_dir, lines, runs)


def benchmark(work_dir: Path, target_lines: int, runs: int) -> list[BenchResult]:
    """The Spark vs DuckDB build on about target_lines generated order lines, runs each."""
    from crm_mining.datagen import customers_for_lines, generate

    data_dir = work_dir / "data"
    started = time.perf_counter()
    summary = generate(
        data_dir, customers=customers_for_lines(target_lines), seed=7, fmt="parquet", reviews=False
    )
    print(f"[bench] spark: generated in {time.perf_counter() - started:.0f} s", flush=True)
    lines = summary.rows["order_items"]
    dbt_vars = {"data_dir": str(data_dir)}
    build = ["build", "--select", *SPARK_SQL_SELECTOR, "--indirect-selection", "cautious"]
    results = []
    for engine in ("duckdb", "spark"):
        load = os.getloadavg()[0]
        timings = []
        for attempt in range(runs):
            dbt_dir = work_dir / f"{engine}_{attempt}"
            shutil.rmtree(dbt_dir, ignore_errors=True)
            if engine == "spark":
                env = spark_dbt_env(dbt_dir, driver_memory="6g")
                command = dbt_command([*build, "--target", "spark"], dbt_vars)
            else:
                env = dbt_env(dbt_dir)
                command = dbt_command(build, dbt_vars)
            timing = run_timed(command, env)
            print(f"[bench] spark: {engine} run {attempt + 1}: {timing.seconds:.0f} s", flush=True)
            timings.append(timing)
            shutil.rmtree(dbt_dir, ignore_errors=True)
        median, rss = median_of(timings)
        results.append(
            BenchResult(
                area="spark",
                benchmark=(
                    f"dbt build of the SQL marts and their upstream, data and unit tests "
                    f"({', '.join(SPARK_SQL_MARTS)}) on {engine}"
                    + (" (local[2], method: session, Parquet tables)" if engine == "spark" else "")
                ),
                scale=f"{lines:,} order lines (Parquet input)",
                runs=runs,
                median_seconds=median,
                peak_rss_mb=rss,
                note=(
                    "fresh database/warehouse per run; times include dbt and JVM start-up; "
                    + (
                        "peak RSS is dbt's process only (not the Spark JVM, driver 6g); "
                        if engine == "spark"
                        else ""
                    )
                    + f"1-min load average {load:.1f} before the runs"
                ),
            )
        )
    return results


if __name__ == "__main__":
    import argparse
    import datetime

    from crm_mining.bench.page import run_summary, update_page

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    bench_results = benchmark(args.work_dir, args.lines, args.runs)
    today = datetime.date.today().isoformat()
    summary = run_summary(bench_results, today, time.perf_counter() - started)
    args.out.write_text(update_page(None, bench_results, today, summary))
    print(args.out.read_text())
