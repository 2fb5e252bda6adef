"""docs/benchmarks.md: the table `make bench` writes, inside a page whose text it keeps.

The table sits between TABLE_START and TABLE_END. A run replaces the rows of the areas it ran
and keeps the others (`--only build` leaves the sentiment rows as they were); each row says
when it was measured. Everything outside the markers is written by hand and kept verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence

from crm_mining.bench.common import BenchResult, machine_description

TABLE_START = (
    "<!-- bench:table:start: written by `make bench`, which replaces the rows of the areas"
    " it runs; the text outside these markers is kept as written -->"
)
TABLE_END = "<!-- bench:table:end -->"
HEADER = [
    "| area | benchmark | scale | runs | median s | peak RSS MB | measured | note |",
    "|---|---|---|---:|---:|---:|---|---|",
]
NEW_PAGE = f"# Benchmarks\n\n{TABLE_START}\n{TABLE_END}\n"


def result_row(result: BenchResult, measured: str) -> str:
    """One Markdown row of the table."""
    rss = f"{result.peak_rss_mb:,.0f}" if result.peak_rss_mb is not None else ""
    return (
        f"| {result.area} | {result.benchmark} | {result.scale} | {result.runs} "
        f"| {result.median_seconds:.2f} | {rss} | {measured} | {result.note} |"
    )


def row_area(row: str) -> str:
    """The area (first cell) of a table row."""
    return row.strip().strip("|").split("|", 1)[0].strip()


def run_summary(results: Sequence[BenchResult], measured: str, seconds: float) -> str:
    """The line above the table: when, on what machine, which areas, how long."""
    areas = ", ".join(dict.fromkeys(result.area for result in results)) or "none"
    return f"Last run {measured} on {machine_description()}: {areas}, {seconds / 60:.1f} min."


def update_page(
    page: str | None,
    results: Sequence[BenchResult],
    measured: str,
    run_summary: str,
) -> str:
    """The page with the rows of the areas in results replaced (in their place when the area
    had rows, else appended) and the run summary line renewed; a new page when there is none.
    A page without the markers is not overwritten: ValueError."""
    page = NEW_PAGE if page is None else page
    if page.count(TABLE_START) != 1 or page.count(TABLE_END) != 1:
        raise ValueError(
            "docs/benchmarks.md: expected one table between the lines "
            f"'{TABLE_START}' and '{TABLE_END}'; add them around the table (or remove the "
            "file) so that make bench does not overwrite the text around it."
        )
    before, rest = page.split(TABLE_START, 1)
    block, after = rest.split(TABLE_END, 1)
    new_rows = [result_row(result, measured) for result in results]
    rows: list[str] = []
    placed: set[str] = set()

    def place(area: str) -> None:
        rows.extend(row for row in new_rows if row_area(row) == area)
        placed.add(area)

    run_areas = {result.area for result in results}
    for row in block.splitlines():
        area = row_area(row)
        if not row.startswith("| ") or area == "area":
            continue
        if area not in run_areas:
            rows.append(row)
        elif area not in placed:
            place(area)
    for result in results:
        if result.area not in placed:
            place(result.area)
    table = "\n".join([run_summary, "", *HEADER, *rows])
    return f"{before}{TABLE_START}\n{table}\n{TABLE_END}{after}"
