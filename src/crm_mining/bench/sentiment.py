"""Benchmark of the sentiment models on 1 million generated review texts.

- VADER scoring throughput of crm_mining.sentiment (chunked, streamed) on 1 and 2 worker
  processes: texts per second, measured inside a child process (generation excluded).
- dbt: the five sentiment models rebuilt incrementally after 1 % of the reviews are new or have
  a changed text, and right after each, rebuilt with --full-refresh (every text scored) on the
  same data. The upstream models (staging, validation, int_reviews_text_hashed) are rebuilt
  untimed before each round.

Texts come from the data generator's English templates with a unique product name per review
("... the model 123456 works perfectly ..."), so that every text is distinct: the score cache
cannot hide any work. Run it as a child process: `python -m crm_mining.bench.sentiment score
--texts N --workers W` prints the scoring time as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from crm_mining.bench.common import (
    BenchResult,
    dbt_command,
    dbt_env,
    median_of,
    project_vars,
    run_timed,
)

SENTIMENT_MODELS = [
    "int_review_texts_scored",
    "int_reviews_sentiment_scored",
    "fct_review_sentiment",
    "fct_product_sentiment",
    "int_customers_sentiment_aggregated",
]
UPSTREAM = ["+int_reviews_text_hashed"]
SCORED_MODEL = "model.crm_mining.int_review_texts_scored"
BATCH = 50_000


def generated_texts(start: int, count: int, seed: int = 3) -> list[str]:
    """count review texts of the generator's templates, unique by their product name."""
    import numpy as np

    from crm_mining.datagen.texts import normal_texts

    rng = np.random.default_rng([seed, start])
    sentiment = rng.choice(3, size=count, p=[0.15, 0.15, 0.7])
    products = [f"model {i} blender" for i in range(start, start + count)]
    return normal_texts(rng, sentiment, products)


def text_batches(total: int, chunk_size: int) -> Iterator:
    """(text_hash, review_text) record batches of generated texts, made lazily."""
    from crm_mining.sentiment import texts_batch

    for start in range(0, total, chunk_size):
        count = min(chunk_size, total - start)
        ids = [f"{i:012d}" for i in range(start, start + count)]
        yield texts_batch(ids, generated_texts(start, count))


def score_main(texts: int, workers: int, chunk_size: int) -> None:
    """Child process: score generated texts, print {"texts": n, "seconds": s} (generation
    included in neither: texts are made before the clock starts, in batches)."""
    from crm_mining.sentiment import SentimentSettings, score_text_batches

    batches = list(text_batches(texts, chunk_size))
    settings = SentimentSettings.from_config(
        {
            **project_vars(),
            "sentiment_workers": workers,
            "sentiment_chunk_size": chunk_size,
            "sentiment_parallel_threshold": 0,
        }
    )
    started = time.perf_counter()
    frame = score_text_batches(batches, texts, settings)
    seconds = time.perf_counter() - started
    assert frame.num_rows == texts and frame.column("compound").null_count == 0
    print(json.dumps({"texts": texts, "seconds": seconds}))


def write_reviews(data_dir: Path, reviews: list[list[str | None]]) -> None:
    """reviews.csv plus the minimal orders and order_items inputs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "reviews.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(
            ["review_id", "customer_id", "product_id", "review_date", "rating", "review_text"]
        )
        writer.writerows(reviews)
    (data_dir / "orders.csv").write_text("order_id,customer_id,order_date\nO1,c1,2025-01-01\n")
    (data_dir / "order_items.csv").write_text(
        "order_id,product_id,quantity,unit_price\nO1,P1,1,1.0\n"
    )


def review_row(i: int, text: str) -> list[str | None]:
    """One review of the benchmark input (ratings follow nothing: only the text matters)."""
    return [
        f"R{i:09d}",
        f"C{i % 200_000:06d}",
        f"P{i % 5_000:05d}",
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        str(1 + i % 5),
        text,
    ]


def node_seconds(target_dir: Path) -> float:
    """Execution time of int_review_texts_scored in the last dbt invocation."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    return next(r["execution_time"] for r in results if r["unique_id"] == SCORED_MODEL)


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Scoring throughput on 1 and 2 workers, then dbt full and incremental builds."""
    total = 20_000 if quick else 1_000_000
    runs = 1 if quick else 3
    chunk_size = 5_000
    results: list[BenchResult] = []

    rates: dict[int, float] = {}
    for workers in (1, 2):
        command = [
            sys.executable, "-m", "crm_mining.bench.sentiment", "score",
            "--texts", str(total), "--workers", str(workers), "--chunk-size", str(chunk_size),
        ]  # fmt: skip
        timings = [run_timed(command) for _ in range(runs)]
        seconds = sorted(json.loads(t.output.strip().splitlines()[-1])["seconds"] for t in timings)
        median = seconds[len(seconds) // 2]
        rates[workers] = total / median
        results.append(
            BenchResult(
                area="sentiment",
                benchmark=f"VADER scoring, {workers} worker process{'es' if workers > 1 else ''}",
                scale=f"{total:,} texts (~80 characters)",
                runs=runs,
                median_seconds=median,
                peak_rss_mb=max(t.peak_rss_mb for t in timings),
                note=(
                    f"{rates[workers]:,.0f} texts/s"
                    + (f" ({rates[2] / rates[1]:.2f}x one worker)" if workers == 2 else "")
                    + f"; chunks of {chunk_size:,}; 1-min load {os.getloadavg()[0]:.1f}"
                ),
            )
        )

    # dbt: full refresh vs incremental after 1 % new or changed reviews.
    data_dir = work_dir / "data"
    texts = []
    for start in range(0, total, BATCH):
        texts.extend(generated_texts(start, min(BATCH, total - start)))
    reviews = [review_row(i, text) for i, text in enumerate(texts)]
    del texts
    write_reviews(data_dir, reviews)
    env = dbt_env(work_dir / "dbt")
    target_dir = work_dir / "dbt" / "target"
    dbt_vars = {"data_dir": str(data_dir)}
    upstream = dbt_command(["run", "--select", *UPSTREAM], dbt_vars)
    models = ["--select", *SENTIMENT_MODELS]
    run_timed(upstream, env)

    full_refresh = dbt_command(["run", "--full-refresh", *models], dbt_vars)
    incremental = dbt_command(["run", *models], dbt_vars)
    run_timed(full_refresh, env)  # the cache of the initial reviews, untimed
    # Each round: 1 % of the reviews change, the incremental run is timed, then a full refresh
    # of the same data right after it, so that both see the same load of a shared machine.
    step = max(1, total // 200)  # 0.5 % changed + 0.5 % new = 1 % of the reviews
    full_timings, full_nodes, incremental_timings, incremental_nodes = [], [], [], []
    loads: list[float] = []
    for round_number in range(runs):
        for i in range(round_number, total, total // step):
            reviews[i][5] = f"{reviews[i][5]} Update {round_number}: the lid broke, awful."
        first_new = len(reviews)
        new_texts = generated_texts(10_000_000 + first_new, step)
        reviews.extend(review_row(first_new + k, t) for k, t in enumerate(new_texts))
        write_reviews(data_dir, reviews)
        run_timed(upstream, env)
        loads.append(os.getloadavg()[0])
        incremental_timings.append(run_timed(incremental, env))
        incremental_nodes.append(node_seconds(target_dir))
        loads.append(os.getloadavg()[0])
        full_timings.append(run_timed(full_refresh, env))
        full_nodes.append(node_seconds(target_dir))
    full_median, full_rss = median_of(full_timings)
    full_node = sorted(full_nodes)[len(full_nodes) // 2]
    incremental_median, incremental_rss = median_of(incremental_timings)
    incremental_node = sorted(incremental_nodes)[len(incremental_nodes) // 2]
    node_ratios = sorted(i / f for i, f in zip(incremental_nodes, full_nodes, strict=True))

    scale = f"{total:,} reviews (distinct texts)"
    load = f"1-min load {min(loads):.1f} to {max(loads):.1f} at the starts of the runs"
    results += [
        BenchResult(
            area="sentiment",
            benchmark="dbt run --full-refresh of the 5 sentiment models",
            scale=scale,
            runs=runs,
            median_seconds=full_median,
            peak_rss_mb=full_rss,
            note=(
                f"scoring model {full_node:.1f} s ({total / full_node:,.0f} texts/s, "
                f"all cores); upstream built untimed; includes dbt start-up; {load}"
            ),
        ),
        BenchResult(
            area="sentiment",
            benchmark="dbt run (incremental) after 1 % new or changed reviews",
            scale=f"{scale}, {step:,} changed + {step:,} new",
            runs=runs,
            median_seconds=incremental_median,
            peak_rss_mb=incremental_rss,
            note=(
                f"{incremental_median / full_median:.1%} of the full run; scoring model "
                f"{incremental_node:.2f} s = {node_ratios[len(node_ratios) // 2]:.1%} of its "
                f"full build (median of per-round ratios); upstream rebuilt untimed; {load}"
            ),
        ),
    ]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["score"])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    args = parser.parse_args()
    score_main(args.texts, args.workers, args.chunk_size)


if __name__ == "__main__":
    main()
