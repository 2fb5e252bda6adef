"""Benchmark of the segmentation: the helpers on one million customers, and the dbt models.

1. The work of the segmentation Python models (crm_mining.segmentation.fit_segmentation: k
   chosen among segment_k_min..segment_k_max on the seeded sample, k-means refined on every
   customer; then assign_segments) on a feature frame of 1,000,000 customers, once with the
   default refinement (KMeans) and once with MiniBatchKMeans (segment_minibatch_threshold
   below the count). The frame is drawn with replacement from int_segment_features_prepared
   of a generated dataset (20,000 customers), continuous features jittered by a lognormal
   factor (sigma 0.05) so that rows are not exact copies. Each run is a fresh process; the
   figure is the time of the two helper calls (reported by the process), the peak RSS that of
   the process.
2. `dbt run` of the 11 segmentation models (SQL features, the four Python models, profiles,
   the marts) on a generated dataset of 100,000 customers (about 3 million order lines, with
   reviews); the upstream models (foundation, RFM, churn, sentiment) are built once, untimed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from crm_mining.bench.common import (
    BenchResult,
    dbt_command,
    dbt_env,
    median_of,
    project_vars,
    run_timed,
)

SEGMENT_PATHS = [
    "path:models/intermediate/segments",
    "path:python_models/segments",
    "path:models/marts/segments",
]
SEGMENT_MARTS = [
    "+fct_customer_segments",
    "+dim_segment_personas",
    "+fct_segmentation_model_metrics",
]
JITTERED = ("monetary", "avg_order_value", "days_per_order", "avg_basket_units")


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time the helpers on 1M customers (synthetic) and the dbt models on 100k (generated)."""
    runs = 1 if quick else 3
    base = _features_of_generated_data(work_dir / "base", 2_000 if quick else 20_000)
    results = []
    customers = 50_000 if quick else 1_000_000
    for algorithm, threshold in (("kmeans", customers), ("minibatch_kmeans", customers - 1)):
        timings = [
            run_timed(
                [
                    sys.executable,
                    "-m",
                    "crm_mining.bench.segments",
                    str(base),
                    str(customers),
                    str(threshold),
                ]
            )
            for _ in range(runs)
        ]
        reports = [json.loads(t.output.strip().splitlines()[-1]) for t in timings]
        assert all(r["algorithm"] == algorithm for r in reports), reports
        seconds = sorted(r["fit_seconds"] + r["assign_seconds"] for r in reports)[runs // 2]
        _, rss = median_of(timings)
        last = reports[-1]
        results.append(
            BenchResult(
                area="segments",
                benchmark=(
                    f"fit_segmentation + assign_segments ({algorithm} refinement; "
                    "k chosen on a 5,000-customer sample among 3..8)"
                ),
                scale=f"{customers:,} customers x {last['features']} features (synthetic)",
                runs=runs,
                median_seconds=seconds,
                peak_rss_mb=rss,
                note=(
                    f"fit {last['fit_seconds']:.1f} s + assign {last['assign_seconds']:.1f} s in "
                    f"the last run; chose k={last['chosen_k']}; features drawn from a generated "
                    f"dataset's int_segment_features_prepared; 1-min load average "
                    f"{os.getloadavg()[0]:.1f}"
                ),
            )
        )
    results.append(_dbt_benchmark(work_dir / "dbt", 3_000 if quick else 100_000, runs))
    return results


def _features_of_generated_data(work_dir: Path, customers: int) -> Path:
    """int_segment_features_prepared of a generated dataset, as a Parquet file."""
    from crm_mining.datagen import generate

    data_dir = work_dir / "data"
    generate(data_dir, customers=customers, seed=5, fmt="parquet", reviews=False)
    env = dbt_env(work_dir)
    run_timed(
        dbt_command(
            ["run", "--select", "+int_segment_features_prepared"], {"data_dir": str(data_dir)}
        ),
        env,
    )
    import duckdb

    out = work_dir / "features.parquet"
    with duckdb.connect(str(work_dir / "crm.duckdb"), read_only=True) as con:
        con.sql(f"copy int_segment_features_prepared to '{out}' (format parquet)")
    return out


def _dbt_benchmark(work_dir: Path, customers: int, runs: int) -> BenchResult:
    """`dbt run` of the segmentation models on generated data (upstream built once)."""
    from crm_mining.datagen import generate

    data_dir = work_dir / "data"
    # with reviews: dim_segment_personas reads the review sentiment of the segments
    summary = generate(data_dir, customers=customers, seed=7, fmt="parquet")
    env = dbt_env(work_dir)
    dbt_vars = {"data_dir": str(data_dir)}
    run_timed(dbt_command(["run", "--select", *SEGMENT_MARTS], dbt_vars), env)
    load = os.getloadavg()[0]
    timings = [
        run_timed(dbt_command(["run", "--select", *SEGMENT_PATHS], dbt_vars), env)
        for _ in range(runs)
    ]
    median, rss = median_of(timings)
    import duckdb

    with duckdb.connect(str(work_dir / "crm.duckdb"), read_only=True) as con:
        clustered, k = con.sql(
            "select customers_clustered, chosen_k from int_segment_model_fitted"
        ).fetchall()[0]
    return BenchResult(
        area="segments",
        benchmark="dbt run of the 11 segmentation models (features SQL, 4 Python models, marts)",
        scale=(
            f"{summary.rows['order_items']:,} order lines, {clustered:,} customers segmented "
            f"(k={k})"
        ),
        runs=runs,
        median_seconds=median,
        peak_rss_mb=rss,
        note=(
            "upstream (foundation, RFM, churn, sentiment) built once, untimed; times include dbt "
            f"start-up; 1-min load average {load:.1f} before the runs"
        ),
    )


def _helpers_main(features_path: str, customers: int, threshold: int) -> None:
    """One timed run of the helpers in this process; prints a JSON line of figures."""
    import numpy as np
    import pandas as pd

    from crm_mining.segmentation import SegmentationSettings, assign_segments, fit_segmentation

    base = pd.read_parquet(features_path)
    rng = np.random.default_rng(1)
    frame = base.iloc[rng.integers(0, len(base), customers)].reset_index(drop=True)
    frame["customer_id"] = pd.array([f"{i:09d}" for i in range(customers)], dtype="string")
    for column in JITTERED:
        frame[column] = frame[column].astype("float64") * rng.lognormal(0.0, 0.05, customers)
    settings = SegmentationSettings.from_config(
        {**project_vars(), "segment_minibatch_threshold": threshold}
    )
    started = time.perf_counter()
    model = fit_segmentation(frame, settings)
    fitted = time.perf_counter()
    segments = assign_segments(frame, model)
    assigned = time.perf_counter()
    assert len(segments) == customers
    report = {
        "fit_seconds": fitted - started,
        "assign_seconds": assigned - fitted,
        "chosen_k": model.chosen_k,
        "algorithm": model.algorithm,
        "features": len(model.scaling.features),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    _helpers_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
