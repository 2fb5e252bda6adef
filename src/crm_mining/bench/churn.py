"""Benchmark of the churn models on generated data (the upstream models, review sentiment
included, are built once, untimed): the SQL feature snapshots and labels, the training step
(two candidates, calibration, permutation importance), and the scoring step with per-customer
drivers and the marts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, median_of, run_timed

UPSTREAM = ["+int_order_lines_cleaned", "+int_as_of_date_resolved", "+fct_review_sentiment"]
STEPS: list[tuple[str, list[str]]] = [
    (
        "SQL features of both snapshots and labels (4 models)",
        [
            "int_churn_snapshots_resolved",
            "int_churn_reviews_snapshotted",
            "int_churn_features_snapshotted",
            "int_churn_labels_observed",
        ],
    ),
    ("training: LR vs gradient boosting, calibration, importances", ["int_churn_model_trained"]),
    (
        "scoring with drivers, importances and the 3 marts",
        [
            "int_churn_scores_predicted",
            "int_churn_feature_importance_ranked",
            "fct_customer_churn_scores",
            "fct_churn_model_metrics",
            "fct_churn_feature_importance",
        ],
    ),
]


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time `dbt run` of each churn step, median of 3 runs (1 when quick)."""
    from crm_mining.datagen import customers_for_lines, generate

    target_lines = 20_000 if quick else 1_000_000
    runs = 1 if quick else 3
    data_dir = work_dir / "data"
    summary = generate(data_dir, customers=customers_for_lines(target_lines), seed=7, fmt="parquet")
    lines = summary.rows["order_items"]
    env = dbt_env(work_dir / "dbt")
    dbt_vars = {"data_dir": str(data_dir)}
    run_timed(dbt_command(["run", "--select", *UPSTREAM], dbt_vars), env)
    db_path = work_dir / "dbt" / "crm.duckdb"
    medians = []
    for _, models in STEPS:
        timings = [
            run_timed(dbt_command(["run", "--select", *models], dbt_vars), env) for _ in range(runs)
        ]
        medians.append(median_of(timings))
    training = _scalar(db_path, "select training_customers from fct_churn_model_metrics")
    scored = _scalar(db_path, "select scored_customers from fct_churn_model_metrics")
    model = _scalar(db_path, "select model_name from fct_churn_model_metrics")
    return [
        BenchResult(
            area="churn",
            benchmark=f"dbt run: {label}",
            scale=f"{lines:,} order lines, {training:,} training / {scored:,} scored customers",
            runs=runs,
            median_seconds=median,
            peak_rss_mb=rss,
            note=f"model {model}; upstream built once, untimed; times include dbt start-up",
        )
        for (label, _), (median, rss) in zip(STEPS, medians, strict=True)
    ]


def _scalar(db_path: Path, sql: str) -> Any:
    """One value from the benchmark's database (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).fetchall()[0][0]
