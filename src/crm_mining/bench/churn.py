"""Benchmark of the churn models: time and peak memory of training and scoring, and their
out-of-time ROC AUC, on generated data and on the CDNOW purchase log.

For each dataset:
1. the foundation is built on all of it (`dbt run --select +int_order_lines_cleaned`): the
   truth is who really bought (a kept purchase line) in [T, T + churn_horizon_days), with
   T = last order date - 120 days;
2. the churn models are built as of T (`as_of_date` = T: the foundation rejects every later
   order and review, so the model never sees them), upstream once, untimed;
3. the two churn Python models (`int_churn_model_trained`, `int_churn_scores_predicted`) are
   run again `runs` times; the time of each is dbt's (`target/run_results.json`, the model
   alone, no dbt start-up), the peak RSS and the CPU time (user + system) those of the whole
   `dbt run` process (the Python models run inside it; on a machine shared with other jobs the
   CPU time says more than the wall time);
4. out-of-time ROC AUC of the scores against the truth, next to recency alone.

Scales: generated data of about 10 million order lines (`customers_for_lines`, seed 7,
parquet: the 320,513 customers of the 10M-line run of the scale issue) and the CDNOW sample
shipped in the lifetimes wheel (2,357 customers); --quick: 20,000 generated lines and CDNOW.

Also `python -m crm_mining.bench.churn DATA_DIR WORK_DIR [RUNS]` measures one data directory
and prints the figures as JSON (used to compare code versions on the same data).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import sys
from pathlib import Path
from typing import Any

from crm_mining.bench.common import BenchResult, dbt_command, dbt_env, run_timed

#: The two timed Python models.
CHURN_MODELS = ("int_churn_model_trained", "int_churn_scores_predicted")
CHURN_MARTS = ["+fct_customer_churn_scores", "+fct_churn_model_metrics"]
DAYS_WITHHELD = 120
HORIZON = 90


def measure(data_dir: Path, work_dir: Path, runs: int) -> dict[str, Any]:
    """Out-of-time figures of one data directory (see the module docstring)."""
    full_env = dbt_env(work_dir / "full")
    run_timed(
        dbt_command(["run", "--select", "+int_order_lines_cleaned"], {"data_dir": str(data_dir)}),
        full_env,
    )
    last_order = _scalar(
        work_dir / "full" / "crm.duckdb", "select last_order_date from int_as_of_date_resolved"
    )
    cut = last_order - dt.timedelta(days=DAYS_WITHHELD)
    dbt_vars = {"data_dir": str(data_dir), "as_of_date": cut.isoformat()}
    env = dbt_env(work_dir / "oot")
    run_timed(dbt_command(["run", "--select", *CHURN_MARTS], dbt_vars), env)
    seconds: dict[str, list[float]] = {name: [] for name in CHURN_MODELS}
    rss = []
    cpu = []
    for _ in range(runs):
        before = _children_cpu_seconds()
        timing = run_timed(dbt_command(["run", "--select", *CHURN_MODELS], dbt_vars), env)
        cpu.append(_children_cpu_seconds() - before)
        rss.append(timing.peak_rss_mb)
        results = json.loads((work_dir / "oot" / "target" / "run_results.json").read_text())
        for node in results["results"]:
            name = node["unique_id"].rsplit(".", 1)[-1]
            if name in seconds:
                seconds[name].append(float(node["execution_time"]))
    figures = _out_of_time_auc(
        work_dir / "oot" / "crm.duckdb", work_dir / "full" / "crm.duckdb", cut
    )
    return {
        "as_of_date": cut.isoformat(),
        "seconds": {name: statistics.median(values) for name, values in seconds.items()},
        "all_seconds": seconds,
        "peak_rss_mb": max(rss),
        "dbt_run_cpu_seconds": statistics.median(cpu),
        "load_average": os.getloadavg()[0],
        **figures,
    }


def _out_of_time_auc(oot_db: Path, full_db: Path, cut: dt.date) -> dict[str, Any]:
    """ROC AUC of the scores (and of recency alone) against the purchases after T."""
    import duckdb
    import numpy as np

    from crm_mining._sklearn import roc_auc_score

    with duckdb.connect(str(oot_db), read_only=True) as con:
        con.execute(f"attach '{full_db}' as full_data (read_only)")
        frame = con.sql(
            f"""
            with bought as (
                select distinct customer_id
                from full_data.main.int_order_lines_cleaned
                where customer_id is not null and quantity > 0
                    and order_date >= date '{cut.isoformat()}'
                    and order_date < date '{cut.isoformat()}' + interval {HORIZON} day
            )
            select
                scores.churn_probability,
                features.recency_days,
                bought.customer_id is null as is_churned
            from main.int_churn_scores_predicted as scores
            inner join main.int_churn_features_snapshotted as features
                on features.snapshot_name = 'scoring'
                and features.customer_id = scores.customer_id
            left join bought on bought.customer_id = scores.customer_id
            order by scores.customer_id
            """
        ).df()
        metrics = (
            con.sql(
                "select model_name, roc_auc, training_customers, scored_customers "
                "from main.int_churn_model_trained"
            )
            .df()
            .iloc[0]
        )
    truth = frame["is_churned"].to_numpy(dtype=int)
    return {
        "model_name": str(metrics["model_name"]),
        "validation_roc_auc": None if metrics["roc_auc"] is None else float(metrics["roc_auc"]),
        "training_customers": int(metrics["training_customers"]),
        "scored_customers": int(metrics["scored_customers"]),
        "churn_rate": float(truth.mean()),
        "oot_roc_auc": float(
            roc_auc_score(truth, frame["churn_probability"].to_numpy(dtype=float))
        ),
        "oot_recency_roc_auc": float(
            roc_auc_score(truth, frame["recency_days"].to_numpy(dtype=float))
        ),
        "distinct_probabilities": int(np.unique(frame["churn_probability"]).size),
    }


def _figure(value: float | None) -> str:
    """A ROC AUC to 4 decimals, or 'none' (no model trained)."""
    return "none" if value is None or value != value else f"{value:.4f}"


def _children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _scalar(db_path: Path, sql: str) -> Any:
    """One value from a benchmark database (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).fetchall()[0][0]


def _datasets(work_dir: Path, quick: bool) -> list[tuple[str, Path]]:
    """(description, data directory) of the generated data and of CDNOW."""
    from crm_mining.datagen import customers_for_lines, generate

    generated = work_dir / "generated"
    target_lines = 20_000 if quick else 10_000_000
    summary = generate(
        generated, customers=customers_for_lines(target_lines), seed=7, fmt="parquet"
    )
    cdnow = work_dir / "cdnow"
    _convert_cdnow(cdnow)
    return [
        (f"generated, seed 7, {summary.rows['order_items']:,} order lines", generated),
        ("CDNOW sample (lifetimes wheel), orders only", cdnow),
    ]


def _convert_cdnow(out_dir: Path) -> None:
    """The CDNOW sample in the normalized layout (scripts/onboarding/cdnow.py)."""
    import importlib.util

    from crm_mining.bench.common import PROJECT_DIR

    spec = importlib.util.spec_from_file_location(
        "cdnow", PROJECT_DIR / "scripts" / "onboarding" / "cdnow.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.convert(out_dir)


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time both churn models (median of 3 runs, 1 when quick) on each dataset."""
    runs = 1 if quick else 3
    results = []
    for label, data_dir in _datasets(work_dir, quick):
        figures = measure(data_dir, work_dir / data_dir.name, runs)
        note = (
            f"as_of_date T={figures['as_of_date']}; model {figures['model_name']}; out-of-time "
            f"ROC AUC {figures['oot_roc_auc']:.4f} (recency alone "
            f"{figures['oot_recency_roc_auc']:.4f}, churn rate {figures['churn_rate']:.3f}); "
            f"validation ROC AUC {_figure(figures['validation_roc_auc'])}; dbt's model time from "
            f"run_results.json; CPU {figures['dbt_run_cpu_seconds']:.1f} s and peak RSS of the "
            f"whole dbt run of both models; 1-min load {figures['load_average']:.1f}"
        )
        scale = (
            f"{label}: {figures['training_customers']:,} training / "
            f"{figures['scored_customers']:,} scored customers"
        )
        for name in CHURN_MODELS:
            results.append(
                BenchResult(
                    area="churn",
                    benchmark=f"dbt run: {name}",
                    scale=scale,
                    runs=runs,
                    median_seconds=figures["seconds"][name],
                    peak_rss_mb=figures["peak_rss_mb"],
                    note=note,
                )
            )
    return results


if __name__ == "__main__":
    print(
        json.dumps(
            measure(
                Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1
            ),
            indent=2,
        )
    )
