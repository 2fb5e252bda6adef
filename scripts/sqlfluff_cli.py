"""sqlfluff's command line (`make lint`, `make format`), ending without the interpreter's teardown.

sqlfluff picks up its Rust parser, sqlfluffrs, when it is installed (`use_rust_parser = auto`):
`sqlfluff lint models` of a copy of models/ with 40 files spoilt took 49 CPU-s through this
script instead of 77 without sqlfluffrs, with the same findings (49 violations, same files,
lines and positions; 2026-12-03). With it, objects of the dbt templater's DuckDB connections are
still referenced when the interpreter shuts down, and DuckDB's bindings (nanobind) then print
some forty "leaked instance" lines on stderr that say nothing about the SQL. By then the report
is written and the exit code known: this runs sqlfluff's own entry point and the functions
registered to run at exit, flushes the output and ends the process with sqlfluff's code,
skipping only the teardown of modules and objects.

Usage: python scripts/sqlfluff_cli.py <sqlfluff arguments>
"""

from __future__ import annotations

import atexit
import os
import sys

from sqlfluff.cli.commands import cli


def exit_code(code: object) -> int:
    """The process exit code of a SystemExit code, as Python itself maps it (a message: 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    sys.argv[0] = "sqlfluff"
    try:
        cli()  # click ends with SystemExit, whatever the outcome
        code = 0
    except SystemExit as ended:
        code = exit_code(ended.code)
    # What the process registered to run at exit still runs (multiprocessing releases the
    # semaphores of dbt's and tqdm's locks there; without it Python's resource tracker reports
    # them as leaked): only the teardown of modules and objects is skipped.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
