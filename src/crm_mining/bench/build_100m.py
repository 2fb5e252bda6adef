"""Opt-in benchmark: the whole build at 100 million order lines, out of core (see build.py)."""

from __future__ import annotations

from pathlib import Path

from crm_mining.bench.build import run_out_of_core
from crm_mining.bench.common import BenchResult


def run(work_dir: Path, quick: bool) -> list[BenchResult]:
    """One whole build at 100M lines with DuckDB's memory capped (CRM_DUCKDB_MEMORY_LIMIT)."""
    return run_out_of_core(work_dir, quick)
