"""Benchmark of the CLV models on customers drawn from a BG/NBD process (crm_mining.datagen.bgnbd):
the SQL summaries of the three snapshots, the three Python models (fit as of as_of_date with
the out-of-time refit, scoring, the churn P(alive) baseline) through dbt, and the same fits and
scoring in-process (no dbt start-up). Upstream models are built once, untimed."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed

UPSTREAM = ["+int_clv_summaries_snapshotted", "+int_churn_labels_observed"]
SQL_STEP = [
    "int_clv_snapshots_resolved",
    "int_clv_summaries_snapshotted",
    "int_clv_holdout_purchases_observed",
]
PYTHON_STEP = [
    "int_clv_model_fitted",
    "int_clv_customers_scored",
    "int_clv_churn_baseline_evaluated",
]


def _in_process(db_path: Path, runs: int) -> tuple[float, int]:
    """Median seconds of fit (scoring + calibration snapshots, Gamma-Gamma, holdout check) +
    score + churn-baseline fit on the summaries read from the benchmark's database."""
    import duckdb

    from crm_mining.clv.evaluation import churn_baseline, fit_clv_models, params_from_metrics
    from crm_mining.clv.scoring import ClvSettings, score_customers

    with duckdb.connect(str(db_path), read_only=True) as con:
        frames = {
            name: con.sql(
                f"select * from int_clv_summaries_snapshotted where snapshot_name = '{name}'"
            ).df()
            for name in ("scoring", "calibration", "churn_training")
        }
        holdout = con.sql("select * from int_clv_holdout_purchases_observed").df()
        labels = con.sql("select * from int_churn_labels_observed").df()
    settings = ClvSettings()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        metrics, _, _ = fit_clv_models(frames["scoring"], frames["calibration"], holdout, settings)
        bgnbd, spend, order_value = params_from_metrics(metrics)
        score_customers(frames["scoring"], bgnbd, spend, order_value, settings)
        churn_baseline(frames["churn_training"], labels, settings)
        timings.append(time.perf_counter() - started)
    return median(timings), len(frames["scoring"])


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time the CLV steps on 1,000,000 generated customers (20,000 when quick)."""
    from crm_mining.datagen.bgnbd import generate_bgnbd

    customers = 20_000 if quick else 1_000_000
    runs = 1 if quick else 3
    data_dir = work_dir / "data"
    counts = generate_bgnbd(data_dir, customers, seed=7, fmt="parquet")
    env = dbt_env(work_dir / "dbt")
    dbt_vars = {"data_dir": str(data_dir), "as_of_date": "2024-01-01"}
    run_timed(dbt_command(["run", "--select", *UPSTREAM], dbt_vars), env)
    db_path = work_dir / "dbt" / "crm.duckdb"
    results = []
    for label, models in (
        ("SQL summaries of the 3 snapshots and the holdout (3 models)", SQL_STEP),
        ("Python models: fits, out-of-time check, scoring, churn baseline", PYTHON_STEP),
    ):
        timings, model_seconds = [], []
        for _ in range(runs):
            timings.append(run_timed(dbt_command(["run", "--select", *models], dbt_vars), env))
            model_seconds.append(_models_seconds(work_dir / "dbt" / "target"))
        seconds, rss = median_of(timings)
        results.append((label, seconds, median(model_seconds), rss))
    seconds, scored = _in_process(db_path, runs)
    metrics = _row(db_path, "select * from int_clv_model_fitted")
    note = (
        f"{metrics['repeat_customers']:,} repeat customers, BG/NBD converged "
        f"{metrics['is_bgnbd_converged']}"
    )
    scale = f"{scored:,} customers, {counts['orders']:,} orders"
    return [
        BenchResult(
            "clv",
            f"dbt run: {label}",
            scale,
            runs,
            step_seconds,
            rss,
            f"{model_seconds:.1f} s from the first model's start to the last one's end "
            f"(run_results.json), the rest is dbt start-up; {note}",
        )
        for label, step_seconds, model_seconds, rss in results
    ] + [
        BenchResult(
            "clv",
            "in-process: 3 BG/NBD fits, Gamma-Gamma, out-of-time check, scoring, churn baseline",
            scale,
            runs,
            seconds,
            None,
            "the Python models' work without dbt; summaries read from DuckDB beforehand",
        )
    ]


def _models_seconds(target_dir: Path) -> float:
    """Wall time from the first model's start to the last one's end in the last dbt run (its
    run_results.json): the models' work without dbt's start-up (they may overlap)."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    stamps = [
        datetime.fromisoformat(step[key].replace("Z", "+00:00"))
        for result in results
        for step in result["timing"]
        for key in ("started_at", "completed_at")
    ]
    return (max(stamps) - min(stamps)).total_seconds()


def _row(db_path: Path, sql: str) -> dict[str, Any]:
    """The first row of a query on the benchmark's database (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).df().iloc[0].to_dict()
