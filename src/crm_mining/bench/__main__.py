"""Run the benchmarks and write their table in docs/benchmarks.md (crm_mining.bench.page):
`python -m crm_mining.bench [--only AREA]`. A `--quick` smoke run writes no page unless given
`--out`: its small-scale single runs would replace the measured rows.

Each area is a module of this package with
`run(work_dir: Path, quick: bool) -> list[BenchResult]`.
Figures are medians of several runs on this machine; nothing here is asserted by the tests.
The opt-in areas (OPT_IN_AREAS: spark, which builds about 10 million order lines on local
Spark and on DuckDB; report, which builds the whole project on as many first) run only
when named with --only, or with CRM_BENCH_<AREA>=1 in the
environment (e.g. `CRM_BENCH_SPARK=1 make bench`).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from crm_mining.bench.common import PROJECT_DIR, BenchResult
from crm_mining.bench.page import run_summary, update_page

AREAS = [
    "datagen", "build", "foundation", "rfm", "associations", "sentiment", "segments", "churn",
    "clv", "spark", "report", "build_100m",
]  # fmt: skip
# Areas left out of a default run (too long for every `make bench`): report builds the whole
# project on 10 million order lines first; build_100m generates and builds 100 million lines.
OPT_IN_AREAS = ["spark", "report", "build_100m"]
#: The committed page whose table a full run updates.
DEFAULT_PAGE = PROJECT_DIR / "docs" / "benchmarks.md"


def default_areas() -> list[str]:
    """AREAS without the opt-in ones, unless CRM_BENCH_<AREA>=1 asks for them."""
    return [
        area
        for area in AREAS
        if area not in OPT_IN_AREAS or os.environ.get(f"CRM_BENCH_{area.upper()}") == "1"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only", nargs="*", choices=AREAS, help="areas to run (default: all but opt-in ones)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small scales, one run (smoke test; writes no page)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help=f"the page to update (default: {DEFAULT_PAGE})"
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="kept when given")
    args = parser.parse_args()

    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="crm_bench_"))
    started = time.perf_counter()
    results: list[BenchResult] = []
    try:
        for area in args.only or default_areas():
            try:
                module = importlib.import_module(f"crm_mining.bench.{area}")
            except ModuleNotFoundError:
                print(f"[bench] {area}: no benchmark module yet, skipped")
                continue
            print(f"[bench] {area} ...", flush=True)
            area_results = module.run(work_dir / area, args.quick)
            check_areas(area, area_results)
            for r in area_results:
                print(f"[bench]   {r.benchmark} @ {r.scale}: {r.median_seconds:.2f} s {r.note}")
            results.extend(area_results)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    today = datetime.date.today().isoformat()
    summary = run_summary(results, today, time.perf_counter() - started)
    out = page_to_write(args.out, args.quick)
    if out is None:
        print(
            f"[bench] {summary}; a quick run leaves {DEFAULT_PAGE.name} as it is (--out to write)"
        )
        return
    page = out.read_text() if out.exists() else None
    out.write_text(update_page(page, results, today, summary))
    print(f"[bench] wrote the table of {out}")


def check_areas(area: str, results: list[BenchResult]) -> None:
    """Fail unless every result of the area's module is labelled with that area: the page
    replaces the rows of each area a run ran, so a result labelled with another area would
    replace that area's rows (the 100M run's, labelled build, would have replaced the 1M and
    10M rows)."""
    others = sorted({result.area for result in results} - {area})
    if others:
        raise SystemExit(
            f"[bench] {area}: results labelled {', '.join(others)}; each benchmark module "
            "labels its results with its own name (the page's rows are replaced by area)"
        )


def page_to_write(out: Path | None, quick: bool) -> Path | None:
    """The page a run updates: --out when given; else the committed page, except after a quick
    run, whose small-scale single runs would replace its measured rows."""
    if out is not None:
        return out
    return None if quick else DEFAULT_PAGE


if __name__ == "__main__":
    main()
