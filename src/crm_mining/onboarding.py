"""The command line shared by the dataset converters of scripts/onboarding/.

Each converter is a module with ``convert(source, out_dir) -> {input file: rows written}`` and a
``main()`` that hands it to :func:`run_converter`, so that every converter reads the same
arguments and prints its counts the same way::

    .venv/bin/python scripts/onboarding/online_retail.py online_retail.csv /tmp/retail
    transactions: 7 rows, customers: 2 rows
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

#: A converter's convert(): source file and output folder in, rows written per input file out.
Converter = Callable[[Path, Path], Mapping[str, int]]


def format_counts(counts: Mapping[str, int]) -> str:
    """The line a converter prints: ``orders: 5 rows, order_items: 9 rows``, in the dict's order."""
    return ", ".join(f"{name}: {count} rows" for name, count in counts.items())


def run_converter(
    convert: Converter,
    doc: str | None,
    source_help: str,
    argv: Sequence[str] | None = None,
) -> None:
    """Parse ``SOURCE OUT_DIR`` (argv, or the process's arguments), convert, print the counts.

    doc is the converter module's docstring; its first line is the command's description.
    Missing or extra arguments exit with argparse's usage message (status 2).
    """
    description = doc.strip().splitlines()[0] if doc and doc.strip() else None
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("source", type=Path, help=source_help)
    parser.add_argument("out_dir", type=Path, help="folder to write the input files into")
    args = parser.parse_args(argv)
    print(format_counts(convert(args.source, args.out_dir)))
