"""docs/benchmarks.md keeps its hand-written text when `make bench` writes its table, and a run
of some areas replaces only their rows (crm_mining.bench.page)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from harness import PROJECT_DIR

import crm_mining.datagen
from crm_mining.bench import build, build_100m
from crm_mining.bench.__main__ import DEFAULT_PAGE, check_areas, page_to_write
from crm_mining.bench.common import BenchResult, Timing
from crm_mining.bench.page import TABLE_END, TABLE_START, row_area, update_page


def result(area: str, benchmark: str, seconds: float) -> BenchResult:
    return BenchResult(area, benchmark, "1 row", 3, seconds, 100.0, f"{area} note")


def rows(page: str) -> list[str]:
    table = page.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    return [line for line in table.splitlines() if line.startswith("| ") and "| area |" not in line]


def test_a_new_page_has_the_table_between_the_markers() -> None:
    page = update_page(None, [result("build", "whole", 1.5)], "2026-12-01", "Last run: x.")
    assert page.startswith("# Benchmarks\n")
    assert rows(page) == ["| build | whole | 1 row | 3 | 1.50 | 100 | 2026-12-01 | build note |"]
    assert "Last run: x." in page


def test_the_text_around_the_table_is_kept_and_other_areas_rows_too() -> None:
    first = update_page(
        None,
        [result("build", "whole", 1.0), result("sentiment", "vader", 2.0)],
        "2026-11-30",
        "Last run: first.",
    )
    before, after = "# Benchmarks\n\nWritten by hand, above.\n\n", "\n\nAnalysis, below.\n"
    page = before + first.split("# Benchmarks\n\n", 1)[1].rstrip("\n") + after
    second = update_page(
        page,
        [result("build", "whole", 0.5), result("build", "whole at 10 M", 5.0)],
        "2026-12-01",
        "Last run: second.",
    )
    assert second.startswith(before + TABLE_START)
    assert second.endswith(TABLE_END + after)
    assert rows(second) == [
        "| build | whole | 1 row | 3 | 0.50 | 100 | 2026-12-01 | build note |",
        "| build | whole at 10 M | 1 row | 3 | 5.00 | 100 | 2026-12-01 | build note |",
        "| sentiment | vader | 1 row | 3 | 2.00 | 100 | 2026-11-30 | sentiment note |",
    ]
    assert "Last run: second." in second and "Last run: first." not in second


def test_a_page_without_the_markers_is_not_overwritten() -> None:
    with pytest.raises(ValueError, match="bench:table:start"):
        update_page("# Benchmarks\n\nHand-written.\n", [], "2026-12-01", "Last run.")


def test_the_committed_page_has_its_table_between_the_markers() -> None:
    page = DEFAULT_PAGE.read_text()
    assert update_page(page, [], "2026-12-01", "Last run.").count(TABLE_START) == 1
    assert rows(page), "docs/benchmarks.md has no measured rows"


def test_a_quick_run_writes_no_page_unless_told_where() -> None:
    """`make bench --quick` (small scales, one run) must not replace the measured rows."""
    assert DEFAULT_PAGE == PROJECT_DIR / "docs" / "benchmarks.md"
    assert page_to_write(None, quick=False) == DEFAULT_PAGE
    assert page_to_write(None, quick=True) is None
    assert page_to_write(Path("elsewhere.md"), quick=True) == Path("elsewhere.md")


def test_the_out_of_core_run_has_a_row_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--only build_100m` replaces its own row and keeps the 1M and 10M rows of the area
    build (its result was labelled build, and would have replaced them). The data and the
    build are stubbed: this checks the labelling, not the build."""
    monkeypatch.setattr(
        crm_mining.datagen,
        "generate",
        lambda data_dir, **_: SimpleNamespace(rows={"order_items": 200_000}),
    )
    monkeypatch.setattr(build, "whole_build", lambda *_, **__: Timing(1.0, 10.0, ""))
    monkeypatch.setattr(build, "slowest_nodes", lambda _: [("fct_orders", 0.5)])
    monkeypatch.setenv("CRM_BENCH_MEMORY_CAP", "none")
    results = build_100m.run(tmp_path, quick=True)
    assert [result.area for result in results] == ["build_100m"]
    assert "CPU of the median run 0 s (user + system)" in results[0].note

    committed = DEFAULT_PAGE.read_text()
    page = update_page(committed, results, "2026-12-01", "Last run.")

    def build_rows(text: str) -> list[str]:
        return [row for row in rows(text) if row_area(row) == "build"]

    assert build_rows(committed), "the committed page has the 1M and 10M rows"
    assert build_rows(page) == build_rows(committed)
    assert [row_area(row) for row in rows(page)].count("build_100m") == 1


def test_a_result_labelled_with_another_area_stops_the_run() -> None:
    """bench's main checks each module's results before the page is written."""
    labelled_build = result("build", "whole dbt build", 1.0)
    check_areas("build", [labelled_build])
    with pytest.raises(SystemExit, match="build_100m: results labelled build"):
        check_areas("build_100m", [labelled_build])
