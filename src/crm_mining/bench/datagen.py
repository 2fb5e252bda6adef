"""Benchmark of the data generator: time and peak memory to write 1 and 10 million order lines."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from crm_mining.bench.common import BenchResult, median_of, run_timed


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """Generate each scale in Parquet and CSV with the CLI (a fresh process per run)."""
    from crm_mining.datagen import customers_for_lines

    scales = [20_000] if quick else [1_000_000, 10_000_000]
    runs = 1 if quick else 3
    results = []
    for lines in scales:
        customers = customers_for_lines(lines)
        for fmt in ("parquet", "csv"):
            out = work_dir / f"{fmt}_{lines}"
            command = [
                sys.executable, "-m", "crm_mining.datagen", "--customers", str(customers),
                "--seed", "7", "--format", fmt, "--out", str(out),
            ]  # fmt: skip
            timings = []
            for _ in range(runs):
                shutil.rmtree(out, ignore_errors=True)
                timings.append(run_timed(command))
            size_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
            shutil.rmtree(out, ignore_errors=True)
            median, rss = median_of(timings)
            results.append(
                BenchResult(
                    area="datagen",
                    benchmark=f"python -m crm_mining.datagen --format {fmt}",
                    scale=f"~{lines:,} order lines ({customers:,} customers)",
                    runs=runs,
                    median_seconds=median,
                    peak_rss_mb=rss,
                    note=f"{size_mb:,.0f} MB written, truth included",
                )
            )
    return results
