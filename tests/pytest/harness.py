"""Running dbt from tests: each build on its own DuckDB file, and builds shared by a session.

Every build gets its own database file, target and log directories, so tests and pytest-xdist
workers never share DuckDB's single-writer lock or dbt's target/ folder. A *shared* build is
made once per test session, by whichever worker asks first (the others wait on a file lock and
then read it): a dataset is built once, and every assertion about it reads that build.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dbt_launcher
import duckdb
import pandas as pd
import pytest

from crm_mining.bench.common import dbt_env as bench_dbt_env

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATASETS = PROJECT_DIR.parent / "shared" / "datasets"
DBT = Path(sys.executable).with_name("dbt")
#: Arguments of a `dbt build` that leaves out the unit tests. Unit tests read fixtures, not
#: the data, and vars they depend on would make them fail anywhere: they run once, in the
#: session's sample build, not again in every build with other data or vars.
UNIT_TESTS_RUN_ELSEWHERE = ("--exclude", "test_type:unit")
#: dbt's threads in the suite's invocations (`--threads`, unless the arguments set it). The
#: suite keeps both cores busy with its two workers; a dbt build on one thread costs about a
#: tenth less CPU than on the profile's two (threads that mostly wait on Python's GIL), the
#: same tables (test_determinism compares builds on 1, 2 and 4 threads). None: the profile's.
SUITE_DBT_THREADS: int | None = 1
#: No log file for the suite's dbt invocations: what the tests read is dbt's output, which
#: holds the file's info lines. dbt formats every event for each logger before the level
#: filter drops it: the info-level file cost about a tenth of a small build's CPU time
#: (online_retail_first10k, whole build: 20.5 and 20.6 CPU-s with it, 18.9 and 17.3 s
#: without, alternating runs, 2026-12-03); the debug level, dbt's default, costs more.
NO_LOG_FILE = {"DBT_LOG_LEVEL_FILE": "none"}
#: The dbt commands that run nodes, and so take `--threads`.
_THREADED_COMMANDS = {"build", "run", "test", "seed", "compile", "show"}


@dataclass
class DbtRun:
    """Outcome of one dbt invocation on its own DuckDB file."""

    returncode: int
    output: str
    db_path: Path
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def work_dir(self) -> Path:
        return self.db_path.parent

    def copy_to(self, work_dir: Path) -> DbtRun:
        """The same outcome on a copy of its database and artifacts (target/) in work_dir:
        for dbt commands that need the file's write lock, or tests that change it, while
        other workers read the original."""
        work_dir.mkdir(parents=True)
        shutil.copy(self.db_path, work_dir / self.db_path.name)
        shutil.copytree(self.work_dir / "target", work_dir / "target")
        return DbtRun(self.returncode, self.output, work_dir / self.db_path.name, self.seconds)

    def artifact(self, name: str) -> dict[str, Any]:
        """A JSON artifact of the invocation's target/ (manifest.json, run_results.json, ...)."""
        return json.loads((self.work_dir / "target" / name).read_text())

    def manifest(self) -> dict[str, Any]:
        """The invocation's target/manifest.json."""
        return self.artifact("manifest.json")

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


def dbt_env(
    work_dir: Path, db_name: str, partial_parse: bool, artifacts: bool = False
) -> dict[str, str]:
    """The environment of a dbt invocation run in work_dir, whose files all live there.

    db_name is the database file, relative to the directory dbt runs in, or absolute.
    artifacts: write target/manifest.json, run_results.json and the graph. dbt writes the
    manifest twice per invocation, about a tenth of a small build's CPU time: only the tests
    that read an artifact ask for them.
    """
    return {
        **os.environ,
        **bench_dbt_env(work_dir),  # profile, target and logs, no telemetry (as make bench)
        "CRM_DUCKDB_PATH": db_name,  # run_dbt's is relative: the same in every invocation
        "DBT_PARTIAL_PARSE": str(partial_parse),
        "DBT_WRITE_JSON": str(artifacts),
        **NO_LOG_FILE,
    }


#: Where run_dbt keeps one parsed project per distinct (vars, database name): set for the test
#: session by conftest.py; None parses every invocation from scratch.
PARSE_CACHE: Path | None = None


def _relative_inputs(work_dir: Path, dbt_vars: dict[str, Any] | None) -> dict[str, Any] | None:
    """The vars with data_dir as the relative path `data` (a link when it lies elsewhere).

    dbt reuses a parsed project only when the vars and the profile's values are identical:
    run in work_dir, every build of input files reads `data` into `crm.duckdb`, so that builds
    of different datasets share one parse. DuckDB resolves both paths against work_dir.
    """
    if not dbt_vars or not dbt_vars.get("data_dir"):
        return dbt_vars
    data_dir = Path(str(dbt_vars["data_dir"]))
    link = work_dir / "data"
    if data_dir.resolve() != link.resolve():
        if link.is_symlink():
            link.unlink()
        if link.exists():
            return dbt_vars  # a folder of its own named data: keep the absolute path
        link.symlink_to(data_dir.resolve(), target_is_directory=True)
    return {**dbt_vars, "data_dir": "data"}


def _parse_key(dbt_vars: dict[str, Any] | None, db_name: str) -> str:
    text = json.dumps([dbt_vars or {}, db_name], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reuse_parse(
    work_dir: Path, dbt_vars: dict[str, Any] | None = None, db_name: str = "crm.duckdb"
) -> Path | None:
    """The session's cached parse for these vars and database name (None: no cache), copied
    into work_dir's target folder when there is one, for dbt's partial parsing to start from.

    dbt itself decides whether it may: it parses again when the project's files, vars or
    profile differ from the cached parse's."""
    if PARSE_CACHE is None:
        return None
    cached = PARSE_CACHE / f"{_parse_key(dbt_vars, db_name)}.msgpack"
    if cached.exists():
        parsed = work_dir / "target" / "partial_parse.msgpack"
        parsed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, parsed)
    return cached


def run_dbt(
    args: list[str],
    work_dir: Path,
    dbt_vars: dict[str, Any] | None = None,
    db_name: str = "crm.duckdb",
    artifacts: bool = False,
    threads: int | None = SUITE_DBT_THREADS,
) -> DbtRun:
    """Run `dbt <args>` on the project with its own database file under work_dir.

    dbt runs in work_dir (`--project-dir` the project) on `crm.duckdb` and `data` there, with
    partial parsing: the first invocation with given vars parses the project, later ones with
    the same vars start from its parse (dbt checks vars, profile and every file's checksum).
    dbt runs as its command line does, in a process forked from one that already imported it
    (dbt_launcher). artifacts: as dbt_env's. threads: dbt's, for the commands that run nodes
    (SUITE_DBT_THREADS); None, or `--threads` in args: as they say.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / db_name
    dbt_vars = _relative_inputs(work_dir, dbt_vars)
    command = list(args)
    if "--project-dir" not in args:
        command += ["--project-dir", str(PROJECT_DIR)]
    if threads is not None and args[0] in _THREADED_COMMANDS and "--threads" not in args:
        command += ["--threads", str(threads)]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars, default=str)]
    parsed = work_dir / "target" / "partial_parse.msgpack"
    cached = reuse_parse(work_dir, dbt_vars, db_name)
    env = dbt_env(work_dir, db_name, partial_parse=cached is not None, artifacts=artifacts)
    started = time.perf_counter()
    returncode, output = dbt_launcher.run(command, env, work_dir)
    seconds = time.perf_counter() - started
    with (work_dir / "invocations.jsonl").open("a") as log:  # read by dbt_invocation_summary
        entry = {"test": os.environ.get("PYTEST_CURRENT_TEST", ""), "args": args}
        log.write(json.dumps({**entry, "seconds": round(seconds, 1)}) + "\n")
    if cached is not None and not cached.exists() and parsed.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}")
        shutil.copyfile(parsed, partial)
        partial.replace(cached)
    return DbtRun(returncode, output, db_path, seconds)


def shared_dataset(relative: str) -> Path:
    """Path of a file in ../shared/datasets, or skip the test with the reason."""
    path = SHARED_DATASETS / relative
    if not path.exists():
        pytest.skip(f"real dataset {path} is absent (../shared/datasets is not beside the project)")
    return path


def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by every xdist worker of this test session (and only this one)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / "shared_builds"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between the processes of the session (POSIX flock)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_build(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    prepare: Callable[[Path], dict[str, Any]],
    args: tuple[str, ...] = ("build",),
    threads: int | None = SUITE_DBT_THREADS,
) -> DbtRun:
    """`dbt <args>` on a dataset, made once per session whichever worker asks first.

    prepare(data_dir) writes the input files into data_dir (or generates them) and returns
    the dbt vars of the build. The outcome is returned whether or not dbt succeeded: call
    `.check()` on it. A shared build writes dbt's artifacts (target/), which tests read.
    threads: as run_dbt's.
    """
    root = session_dir(tmp_path_factory)
    work_dir = root / name
    outcome = work_dir / "outcome.json"
    with file_lock(root / f"{name}.lock"):
        if not outcome.exists():
            work_dir.mkdir(parents=True, exist_ok=True)
            dbt_vars = prepare(work_dir / "data")
            run = run_dbt(list(args), work_dir, dbt_vars, artifacts=True, threads=threads)
            outcome.write_text(
                json.dumps(
                    {
                        "returncode": run.returncode,
                        "output": run.output,
                        "seconds": round(run.seconds, 1),
                        "vars": dbt_vars,
                    },
                    default=str,
                )
            )
    recorded = json.loads(outcome.read_text())
    return DbtRun(
        recorded["returncode"], recorded["output"], work_dir / "crm.duckdb", recorded["seconds"]
    )


def shared_build_summary(root: Path) -> list[tuple[str, bool, float]]:
    """(name, passed, seconds) of every shared build made under root, by name."""
    rows = []
    for outcome in sorted(root.glob("*/outcome.json")):
        recorded = json.loads(outcome.read_text())
        rows.append((outcome.parent.name, recorded["returncode"] == 0, recorded["seconds"]))
    return rows


def dbt_invocation_summary(root: Path) -> tuple[int, float]:
    """How many dbt invocations run_dbt made under root, and their wall seconds summed."""
    seconds = [
        json.loads(line)["seconds"]
        for log in root.rglob("invocations.jsonl")
        for line in log.read_text().splitlines()
    ]
    return len(seconds), sum(seconds)
