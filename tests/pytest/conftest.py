"""Shared fixtures: run the dbt project in a subprocess on its own DuckDB file and read results.

Every build gets its own database file, target and log directories, so tests (and pytest-xdist
workers) never share DuckDB's single-writer lock or dbt's target/ folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATASETS = PROJECT_DIR.parent / "shared" / "datasets"
DBT = Path(sys.executable).with_name("dbt")


def shared_dataset(relative: str) -> Path:
    """Path of a file in ../shared/datasets, or skip the test with the reason."""
    path = SHARED_DATASETS / relative
    if not path.exists():
        pytest.skip(f"real dataset {path} is absent (../shared/datasets is not beside the project)")
    return path


@dataclass
class DbtRun:
    """Outcome of one dbt invocation on its own DuckDB file."""

    returncode: int
    output: str
    db_path: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def check(self) -> DbtRun:
        """Fail the test with dbt's output when the invocation failed."""
        assert self.ok, f"dbt failed (exit {self.returncode}):\n{self.output[-6000:]}"
        return self

    def df(self, sql_or_table: str) -> pd.DataFrame:
        """A query (or a whole table, by name) as a pandas DataFrame, read-only."""
        sql = sql_or_table if " " in sql_or_table.strip() else f"select * from {sql_or_table}"
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).df()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """A query's rows as tuples, read-only."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        """The single value of a one-row, one-column query."""
        rows = self.rows(sql)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]


def run_dbt(
    args: list[str],
    work_dir: Path,
    dbt_vars: dict[str, Any] | None = None,
    db_name: str = "crm.duckdb",
) -> DbtRun:
    """Run `dbt <args>` on the project with its own database file under work_dir."""
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / db_name
    env = {
        **os.environ,
        "CRM_DUCKDB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_VERSION_CHECK": "False",
        "DBT_PARTIAL_PARSE": "False",
    }
    command = [str(DBT), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars, default=str)]
    completed = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, db_path)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The whole project built (models and data tests) on the bundled sample."""
    return run_dbt(["build"], tmp_path_factory.mktemp("sample_build")).check()


@pytest.fixture(scope="session")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A generated dataset (normalized layout, CSV, messy) with its planted truth in truth/."""
    from crm_mining.datagen import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, customers=3000, seed=11, fmt="csv")
    yield out


@pytest.fixture(scope="session")
def generated_build(generated_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The whole project built on the generated dataset."""
    work = tmp_path_factory.mktemp("generated_build")
    return run_dbt(["build"], work, {"data_dir": str(generated_data)}).check()
