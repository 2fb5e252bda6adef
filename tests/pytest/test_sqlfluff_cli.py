"""scripts/sqlfluff_cli.py, the sqlfluff command line of `make lint`: it must keep sqlfluff's
verdict (a lint that always passed would let any SQL in). The raw templater used here opens no
DuckDB connection: the leak report the script keeps out shows in `make lint`'s own log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from harness import PROJECT_DIR

from scripts.sqlfluff_cli import exit_code

CLI = PROJECT_DIR / "scripts" / "sqlfluff_cli.py"


def lint(sql_dir: Path) -> subprocess.CompletedProcess[str]:
    """`sqlfluff lint` of sql_dir's files with the raw templater (no dbt, no project config)."""
    command = [sys.executable, str(CLI), "lint", str(sql_dir), "--dialect", "duckdb",
               "--templater", "raw", "--rules", "capitalisation.keywords"]  # fmt: skip
    return subprocess.run(
        command,
        cwd=sql_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("sql", "returncode", "finding"),
    [("select 1 as one\n", 0, None), ("SELECT 1 as one\n", 1, "CP01")],
)
def test_lint_keeps_sqlfluffs_verdict(
    tmp_path: Path, sql: str, returncode: int, finding: str | None
) -> None:
    (tmp_path / "model.sql").write_text(sql)
    completed = lint(tmp_path)
    assert completed.returncode == returncode, completed.stdout + completed.stderr
    if finding:
        assert finding in completed.stdout
    assert "leaked" not in completed.stderr


def test_exit_codes_follow_pythons_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert [exit_code(None), exit_code(0), exit_code(2)] == [0, 0, 2]
    assert exit_code("no such file") == 1
    assert "no such file" in capsys.readouterr().err
