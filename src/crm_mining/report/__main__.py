"""Command line: python -m crm_mining.report --out report.html [--source PATH]."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from crm_mining.report import build_report, default_source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crm_mining.report",
        description="Write the results of a crm_mining build as one self-contained HTML file.",
    )
    parser.add_argument("--out", required=True, type=Path, help="HTML file to write")
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help="the DuckDB file dbt built (default: $CRM_DUCKDB_PATH, else "
        ".data/crm_mining.duckdb), or an exports folder (crm_mining_marts.duckdb or "
        "parquet/), or exports/crm_mining_marts.duckdb itself",
    )
    args = parser.parse_args(argv)
    source = args.source or default_source()
    started = time.perf_counter()
    try:
        built = build_report(source, args.out)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(
        f"report: {built.path} ({built.size_bytes / 1e6:.2f} MB, "
        f"{len(built.report.sections)} sections, {len(built.report.figures)} charts) "
        f"from {source} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
