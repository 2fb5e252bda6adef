"""Benchmark of the association models, at about one and ten million generated order lines.

At each scale: `dbt run` of the association-rule models (baskets, product pairs, category
pairs) and, at 10M, of the recommendation models (offline evaluation of every method, the
choice, fct_customer_recommendations and fct_customer_buy_again) and of all of them together,
with the peak memory of the dbt process and each model's own time from dbt's run_results.json;
then mlxtend (one-hot encoding + fpgrowth on itemsets of length <= 2 + association_rules) on
the same baskets with the same thresholds, its rules checked identical to
fct_item_pair_associations (same pairs and counts, metrics within 1e-9) before any figure is
reported. The upstream models are built once per scale, untimed.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from crm_mining.bench.common import (
    PROJECT_DIR,
    BenchResult,
    dbt_command,
    dbt_env,
    median_of,
    run_timed,
)

UPSTREAM = ["+int_order_lines_cleaned", "+int_products_resolved", "+fct_orders"]
RULE_MODELS = [
    "int_basket_products_deduplicated",
    "fct_item_pair_associations",
    "fct_category_pair_associations",
]
PAIR_MODEL = ["fct_item_pair_associations"]
# Everything after the rules: evaluation (holdout, training rules, similarities, every method's
# lists), the choice, and the two recommendation marts.
RECOMMENDATION_MODELS = [
    "int_recommendation_holdout_orders",
    "int_recommendation_training_orders_counted",
    "int_recommendation_training_rules",
    "int_recommendation_products_ranked",
    "int_recommendation_customers_numbered",
    "int_customer_products_summarized",
    "int_customer_histories_capped",
    "int_product_similarities",
    "int_recommendation_evaluation_lists",
    "fct_recommendation_evaluation",
    "fct_customer_recommendations",
    "fct_customer_buy_again",
]
ALL_MODELS = [*RULE_MODELS, *RECOMMENDATION_MODELS]


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Time the association models at about 1M and 10M order lines, each against mlxtend."""
    runs = 1 if quick else 3
    results = _benchmark(work_dir / "1m", 20_000 if quick else 1_000_000, runs, with_marts=False)
    results += _benchmark(work_dir / "10m", 50_000 if quick else 10_000_000, runs, with_marts=True)
    return results


def _prepare(work_dir: Path, target_lines: int) -> tuple[dict[str, str], dict[str, Any], int]:
    """Generate about target_lines order lines (parquet) and build the upstream models."""
    from crm_mining.datagen import customers_for_lines, generate

    data_dir = work_dir / "data"
    summary = generate(
        data_dir, customers=customers_for_lines(target_lines), seed=7, fmt="parquet", reviews=False
    )
    env = dbt_env(work_dir / "dbt")
    dbt_vars = {"data_dir": str(data_dir)}
    run_timed(dbt_command(["run", "--select", *UPSTREAM], dbt_vars), env)
    return env, dbt_vars, summary.rows["order_items"]


def _benchmark(work_dir: Path, target_lines: int, runs: int, with_marts: bool) -> list[BenchResult]:
    """dbt runs of the association models, then mlxtend on the same baskets (rules compared)."""
    env, dbt_vars, lines = _prepare(work_dir, target_lines)
    db_path = Path(env["CRM_DUCKDB_PATH"])
    target_dir = Path(env["DBT_TARGET_PATH"])
    groups = [
        ("association-rule models (baskets, product pairs, category pairs)", RULE_MODELS),
        ("product-pair model alone (baskets built)", PAIR_MODEL),
    ]
    if with_marts:
        label = "recommendation models (evaluation of every method, both marts)"
        groups.append((label, RECOMMENDATION_MODELS))
        groups.append(("all association models (rules and recommendations)", ALL_MODELS))
    measured = []
    for label, models in groups:
        load = os.getloadavg()[0]
        timings, model_seconds = [], []
        for _ in range(runs):
            timings.append(run_timed(dbt_command(["run", "--select", *models], dbt_vars), env))
            model_seconds.append(_model_seconds(target_dir))
        measured.append((label, models, timings, model_seconds, load))
    baskets = _scalar(
        db_path, "select count(distinct order_id) from int_basket_products_deduplicated"
    )
    customers = _scalar(
        db_path, "select count(distinct customer_id) from int_basket_products_deduplicated"
    )
    rules = _scalar(db_path, "select count(*) from fct_item_pair_associations")
    scale = (
        f"{lines:,} order lines, {baskets:,} baskets, {customers:,} customers, "
        f"{rules:,} product rules"
    )

    thresholds = _thresholds()
    mlxtend_out = work_dir / "mlxtend_rules.parquet"
    mlxtend_runs = [
        _mlxtend_child(db_path, mlxtend_out, thresholds)
        for _ in range(runs if not with_marts else 1)
    ]
    mlxtend_seconds = statistics.median(seconds for seconds, _ in mlxtend_runs)
    mlxtend_rss = max(rss for _, rss in mlxtend_runs)
    identical = _compare(db_path, mlxtend_out)
    pair_seconds = statistics.median(
        run_seconds["fct_item_pair_associations"] for run_seconds in measured[1][3]
    )
    basket_seconds = statistics.median(
        run_seconds["int_basket_products_deduplicated"] for run_seconds in measured[0][3]
    )

    results = []
    for label, models, timings, model_seconds, load in measured:
        median, rss = median_of(timings)
        in_models = statistics.median(sum(run_seconds.values()) for run_seconds in model_seconds)
        note = (
            f"sum of the models' own times {in_models:.2f} s (run_results.json), the rest is dbt; "
            f"upstream built once, untimed; 1-min load {load:.1f}"
        )
        if models is PAIR_MODEL:
            with_baskets = mlxtend_seconds / (pair_seconds + basket_seconds)
            note += (
                f"; the model's own time {pair_seconds:.2f} s is "
                f"{mlxtend_seconds / pair_seconds:.1f}x faster than mlxtend; with the basket "
                f"model ({basket_seconds:.2f} s): {with_baskets:.1f}x; whole dbt invocation: "
                f"{mlxtend_seconds / median:.1f}x"
            )
        results.append(
            BenchResult(
                area="associations",
                benchmark=f"dbt run of the {label}",
                scale=scale,
                runs=runs,
                median_seconds=median,
                peak_rss_mb=rss,
                note=note,
            )
        )
    results.append(
        BenchResult(
            area="associations",
            benchmark="mlxtend 0.25: one-hot + fpgrowth (max_len 2) + association_rules",
            scale=scale,
            runs=len(mlxtend_runs),
            median_seconds=mlxtend_seconds,
            peak_rss_mb=mlxtend_rss,
            note=(
                f"same baskets (read untimed), vars {thresholds}; identical rules to "
                f"fct_item_pair_associations: {identical}"
            ),
        )
    )
    return results


def _model_seconds(target_dir: Path) -> dict[str, float]:
    """Execution seconds of each model of the last dbt invocation (run_results.json)."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: float(r["execution_time"]) for r in results}


def _thresholds() -> dict[str, float]:
    """The default thresholds of dbt_project.yml."""
    import yaml

    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return {
        name: project_vars[name]
        for name in ("assoc_min_support", "assoc_min_confidence", "assoc_min_pair_count")
    }


def _mlxtend_child(
    db_path: Path, out_path: Path, thresholds: dict[str, float]
) -> tuple[float, float]:
    """Run mlxtend in a child process; its compute seconds and the child's peak RSS (MB)."""
    command = [
        sys.executable,
        "-c",
        "import sys, json; from crm_mining.bench.associations import mlxtend_rules; "
        "mlxtend_rules(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))",
        str(db_path),
        str(out_path),
        json.dumps(thresholds),
    ]
    timing = run_timed(command)
    seconds = float(timing.output.strip().splitlines()[-1])
    return seconds, timing.peak_rss_mb


def mlxtend_rules(db_path: str, out_path: str, thresholds: dict[str, float]) -> None:
    """Single-item rules of the baskets of db_path by mlxtend, written to out_path (parquet);
    prints the seconds of the encoding + fpgrowth + association_rules."""
    import duckdb
    import numpy as np
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from mlxtend.preprocessing import TransactionEncoder

    with duckdb.connect(db_path, read_only=True) as con:
        baskets = con.sql(
            "select order_id, list(product_id) as products "
            "from int_basket_products_deduplicated group by order_id"
        ).df()
    transactions = baskets["products"].tolist()
    min_support = float(thresholds["assoc_min_support"])
    started = time.perf_counter()
    encoder = TransactionEncoder()
    frame = pd.DataFrame(
        encoder.fit(transactions).transform(transactions), columns=encoder.columns_
    )
    itemsets = fpgrowth(frame, min_support=min_support, use_colnames=True, max_len=2)
    rules = association_rules(
        itemsets,
        len(frame),
        metric="confidence",
        min_threshold=float(thresholds["assoc_min_confidence"]),
    )
    seconds = time.perf_counter() - started
    rules = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
    out = pd.DataFrame(
        {
            "antecedent": rules["antecedents"].map(lambda s: next(iter(s))),
            "consequent": rules["consequents"].map(lambda s: next(iter(s))),
            "pair_order_count": (rules["support"] * len(frame)).round().astype("int64"),
            "support": rules["support"],
            "confidence": rules["confidence"],
            "lift": rules["lift"],
            "leverage": rules["leverage"],
            "conviction": rules["conviction"].replace(np.inf, np.nan),
        }
    )
    out = out[
        (out["pair_order_count"] >= int(thresholds["assoc_min_pair_count"]))
        & (out["support"] >= min_support)
    ]
    out.to_parquet(out_path, index=False)
    print(f"{seconds:.6f}")


def _compare(db_path: Path, mlxtend_path: Path) -> str:
    """Raise unless fct_item_pair_associations equals mlxtend's rules; a one-line summary."""
    import duckdb
    import numpy as np
    import pandas as pd

    with duckdb.connect(str(db_path), read_only=True) as con:
        mart = con.sql(
            "select antecedent_product_id as antecedent, consequent_product_id as consequent, "
            "pair_order_count, support, confidence, lift, leverage, conviction "
            "from fct_item_pair_associations"
        ).df()
    theirs = pd.read_parquet(mlxtend_path)
    key = ["antecedent", "consequent"]
    mart = mart.sort_values(key).reset_index(drop=True)
    theirs = theirs.sort_values(key).reset_index(drop=True)
    if mart[key].values.tolist() != theirs[key].values.tolist():
        raise AssertionError(f"rule sets differ: {len(mart)} in SQL, {len(theirs)} in mlxtend")
    if mart["pair_order_count"].tolist() != theirs["pair_order_count"].tolist():
        raise AssertionError("pair counts differ")
    worst = 0.0
    for column in ("support", "confidence", "lift", "leverage", "conviction"):
        ours, other = mart[column].to_numpy(float), theirs[column].to_numpy(float)
        if not np.array_equal(np.isnan(ours), np.isnan(other)):
            raise AssertionError(f"{column}: nulls differ")
        worst = max(worst, float(np.nanmax(np.abs(ours - other), initial=0.0)))
    if worst > 1e-9:
        raise AssertionError(f"metrics differ by {worst:.2e}")
    return f"{len(mart):,} rules, max metric difference {worst:.1e}"


def _scalar(db_path: Path, sql: str) -> int:
    """One integer from the benchmark's database (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return int(con.sql(sql).fetchall()[0][0])
