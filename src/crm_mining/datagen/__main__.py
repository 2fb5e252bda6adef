"""Command line: `python -m crm_mining.datagen --customers N --seed S --format csv --out DIR`.

Or `python -m crm_mining.datagen --sample-seeds DIR` for the bundled sample (dbt seeds).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from crm_mining.datagen.core import DEFAULT_END, DEFAULT_START, generate, write_sample_seeds
from crm_mining.datagen.params import DEFAULT_CHUNK_SIZE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_mining.datagen",
        description="Generate deterministic CRM input files (normalized layout) with planted "
        "truth. Same arguments give byte-identical files.",
    )
    parser.add_argument("--customers", type=int, help="customers in the customers file")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--out", type=Path, help="output directory of the data files")
    parser.add_argument("--truth-dir", type=Path, help="planted truth (default OUT/truth)")
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--no-messy", action="store_true", help="no guests, returns, bad rows")
    parser.add_argument("--no-reviews", action="store_true", help="no reviews file")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        help=f"customers per chunk (default {DEFAULT_CHUNK_SIZE}; changes the data)",
    )
    parser.add_argument("--verbose", action="store_true", help="print progress per chunk")
    parser.add_argument(
        "--sample-seeds",
        type=Path,
        metavar="DIR",
        help="write the bundled sample as DIR/sample_*.csv (truth: "
        "DIR/../tests/fixtures/sample_truth unless --truth-dir)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.sample_seeds is not None:
        summary = write_sample_seeds(args.sample_seeds, args.truth_dir)
    else:
        if args.customers is None or args.out is None:
            parser.error("--customers and --out are required (or use --sample-seeds DIR)")
        summary = generate(
            args.out,
            args.customers,
            args.seed,
            args.format,
            truth_dir=args.truth_dir,
            start=args.start,
            end=args.end,
            messy=not args.no_messy,
            reviews=not args.no_reviews,
            chunk_size=args.chunk_size,
            verbose=args.verbose,
        )
    print(summary.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
