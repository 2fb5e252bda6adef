"""The integration_tests/ project, run the way a data team runs crm_mining as a dbt package.

Each test session works on a clean copy of integration_tests/ placed beside links to this
checkout's files, so that its packages.yml (`local: ../`) installs this checkout with
`dbt deps` (offline), and nothing is written into the source tree (dbt_packages/, target/,
package-lock.yml). dbt runs from the copy's directory, not the project root.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import dbt_launcher
from harness import NO_LOG_FILE, PROJECT_DIR, DbtRun

from crm_mining.bench.common import dbt_env as bench_dbt_env

INTEGRATION_DIR = PROJECT_DIR / "integration_tests"
README = PROJECT_DIR / "README.md"
README_SECTION = "## Use crm_mining in your own dbt project"
#: What the copy of the project root leaves out: the consumer itself, and local state.
_NOT_LINKED = {"integration_tests", "target", "logs", "dbt_packages", "exports"}


def consumer_project(root: Path) -> Path:
    """A clean copy of integration_tests/ in root/, with root/ standing for this checkout."""
    root.mkdir(parents=True, exist_ok=True)
    for entry in PROJECT_DIR.iterdir():
        if not entry.name.startswith(".") and entry.name not in _NOT_LINKED:
            (root / entry.name).symlink_to(entry)
    project = root / "integration_tests"
    shutil.copytree(
        INTEGRATION_DIR,
        project,
        ignore=shutil.ignore_patterns(
            "dbt_packages", "target", "logs", ".data", "package-lock.yml", ".user.yml"
        ),
    )
    return project


def consumer_env(project: Path, work_dir: Path, base: dict[str, str] | None = None) -> dict:
    """The environment of dbt in the consumer project, every file under work_dir."""
    env = {**os.environ, **(base or {}), **bench_dbt_env(work_dir), **NO_LOG_FILE}
    del env["CRM_DUCKDB_PATH"]  # the consumer's profile reads CRM_IT_DUCKDB_PATH
    return {
        **env,
        "CRM_IT_DUCKDB_PATH": str(work_dir / "consumer.duckdb"),
        "DBT_PROFILES_DIR": str(project),
    }


def run_consumer(project: Path, args: list[str], env: dict[str, str]) -> DbtRun:
    """`dbt <args>` in the consumer project's directory."""
    returncode, combined = dbt_launcher.run(args, env, project)
    output = "\n".join(
        line
        for line in combined.splitlines()
        if not line.startswith('{"ts"')  # PySpark's JSON log lines: dbt's own say it
    )
    return DbtRun(returncode, output, Path(env["CRM_IT_DUCKDB_PATH"]))


def readme_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the README section on the package."""
    text = README.read_text()
    start = text.index(README_SECTION)
    end = text.find("\n## ", start + len(README_SECTION))
    section = text[start : end if end > 0 else None]
    return re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S)


def marked_excerpt(path: Path, marker: str = "# ---") -> str:
    """The lines of a file between its two marker lines (the README shows them)."""
    lines = path.read_text().splitlines(keepends=True)
    marks = [i for i, line in enumerate(lines) if line.startswith(marker)]
    assert len(marks) == 2, f"{path} needs two '{marker}' lines around the README excerpt"
    return "".join(lines[marks[0] + 1 : marks[1]])
