"""Shared fixtures: the datasets of the suite, each built once per session (see harness.py).

Builds of the whole project (every model and data test; the unit tests in the sample build
only, see harness.UNIT_TESTS_RUN_ELSEWHERE):
- `sample_build`: the bundled sample (dbt seeds), exactly what `make build` builds;
- `generated_build`: generated data, normalized layout, CSV, every optional file, messy;
- the real datasets of ../shared/datasets and the generated variants without optional files:
  `dataset_build(name)` (tests/pytest/suite_datasets.py lists them).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import harness
import pytest
from harness import (
    DBT,
    PROJECT_DIR,
    SHARED_DATASETS,
    UNIT_TESTS_RUN_ELSEWHERE,
    DbtRun,
    dbt_invocation_summary,
    file_lock,
    run_dbt,
    session_dir,
    shared_build,
    shared_build_summary,
    shared_dataset,
)
from suite_datasets import DATASETS, generated_files

__all__ = [
    "DBT",
    "PROJECT_DIR",
    "SHARED_DATASETS",
    "UNIT_TESTS_RUN_ELSEWHERE",
    "DbtRun",
    "run_dbt",
    "shared_dataset",
]


#: The modules that take longest (whole builds of many datasets, Spark), longest first: they run
#: before the others. pytest-xdist (`--dist loadfile`) hands whole modules to its workers in
#: collection order, so that the session ends on short modules instead of one worker running a
#: long one while the other has nothing left.
SLOW_MODULES_FIRST = [
    "test_real_data.py",
    "test_spark_parity.py",
    "test_foundation.py",
    "test_input_relations.py",
    "test_churn_build.py",
    "test_determinism.py",
    "test_integration_tests.py",
    "test_segments_edge_inputs.py",
    "test_segments_build.py",
    "test_sentiment_dbt.py",
    "test_spark.py",
    "test_bi_access.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow modules first (SLOW_MODULES_FIRST), the others after them in their usual order."""
    rank = {name: position for position, name in enumerate(SLOW_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session", autouse=True)
def shared_parses(tmp_path_factory: pytest.TempPathFactory) -> None:
    """dbt invocations with the same vars share one parse of the project (harness.run_dbt)."""
    harness.PARSE_CACHE = session_dir(tmp_path_factory) / "_parses"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The whole project built (models, data and unit tests) on the bundled sample, on the
    profile's threads, as `make build` builds it (the other builds: harness.SUITE_DBT_THREADS)."""
    return shared_build(tmp_path_factory, "sample", lambda data_dir: {}, threads=None).check()


@pytest.fixture(scope="session")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset (normalized layout, CSV, messy) with its planted truth in truth/."""
    return generated_files(session_dir(tmp_path_factory))


@pytest.fixture(scope="session")
def generated_build(generated_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The whole project built on the generated dataset (its unit tests: in sample_build)."""
    return shared_build(
        tmp_path_factory,
        "generated",
        lambda data_dir: {"data_dir": str(generated_data)},
        ("build", *UNIT_TESTS_RUN_ELSEWHERE),
    ).check()


@pytest.fixture(scope="session")
def dataset_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DbtRun]:
    """dataset_build(name): the project built on a dataset of suite_datasets.DATASETS (every
    model and data test), skipped with the reason when its source is absent. Not checked: call
    .check() on it."""

    def build(name: str) -> DbtRun:
        dataset = DATASETS[name]
        if dataset.source is not None:
            shared_dataset(dataset.source)
        root = session_dir(tmp_path_factory)
        return shared_build(
            tmp_path_factory,
            name,
            lambda data_dir: dataset.prepare(data_dir, root),
            ("build", *UNIT_TESTS_RUN_ELSEWHERE),
        )

    return build


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """fresh_copy(dir): a private copy of an input folder, for a test that changes files."""

    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target

    return copy


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The shared builds of the session (name, outcome, wall time) and all dbt invocations."""
    factory = getattr(terminalreporter.config, "_tmp_path_factory", None)
    if factory is None:
        return
    base = factory.getbasetemp()
    root = base / "shared_builds"
    rows = shared_build_summary(root) if root.exists() else []
    if not rows:
        return
    terminalreporter.section("shared dbt builds (once per session)")
    for name, passed, seconds in rows:
        terminalreporter.write_line(
            f"{name:45s} {'ok' if passed else 'FAILED':7s} {seconds:7.1f} s"
        )
    count, seconds = dbt_invocation_summary(base)
    terminalreporter.write_line(
        f"dbt invocations through run_dbt: {count}, {seconds:.0f} s of wall time summed"
    )


__all__ += ["file_lock"]
