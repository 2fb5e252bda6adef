"""`dbt` invocations forked from a process that has already imported dbt and the ML stack.

Every `dbt` command spends about 3 s of CPU importing dbt, its DuckDB adapter and what the
Python models import (scikit-learn, SciPy, pandas, crm_mining) before it reads a file; a test
session makes some fifty invocations. Each pytest worker therefore keeps a multiprocessing
forkserver that imported those modules once (PRELOAD), and every invocation is a child forked
from it: a process of its own, with the invocation's environment, working directory and
standard streams, running dbt's command-line entry point (`dbt.cli.main.cli`, what the `dbt`
script runs) and ending as that script would. Nothing of one invocation outlives it.

This module is imported by the forked children: keep its imports to the standard library.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext
from pathlib import Path

#: Imported once by the forkserver, then shared by every invocation it forks.
PRELOAD = [
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "dbt.adapters.duckdb.impl",
    "pandas",
    "pyarrow",
    "scipy.optimize",
    "sklearn.cluster",
    "sklearn.ensemble",
    "sklearn.isotonic",
    "sklearn.linear_model",
    "crm_mining.churn",
    "crm_mining.clv",
    "crm_mining.segmentation",
    "crm_mining.sentiment",
    "dbt_warmup",  # last: dbt's schemas and macro caches, then the heap frozen (its docstring)
]

_CONTEXT: ForkServerContext | None = None


def _forkserver() -> ForkServerContext:
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        # Python 3.11's forkserver ignores the sys.path it is handed: PYTHONPATH lets it import
        # this folder's dbt_warmup (children replace the whole environment, see _invoke).
        saved = os.environ.get("PYTHONPATH")
        here = str(Path(__file__).parent)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, saved]))
        try:
            forkserver.ensure_running()
        finally:
            if saved is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = saved
        _CONTEXT = context
    return _CONTEXT


def _enter(env: dict[str, str], cwd: str, output: str) -> None:
    """A forked child's working directory, environment and standard streams (into output)."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    stream = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(stream, 1)
    os.dup2(stream, 2)
    os.close(stream)


def _invoke(args: list[str], env: dict[str, str], cwd: str, output: str) -> None:
    """The `dbt` script in a forked child: its exit code becomes the child's."""
    _enter(env, cwd, output)
    sys.argv = ["dbt", *args]
    from dbt.cli.main import cli

    code: int = 0
    try:
        cli()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    # As the interpreter would at the end of the script (multiprocessing's children skip it):
    # dbt-duckdb's exit hook closes the database, which checkpoints it.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _execute(code: str, env: dict[str, str], cwd: str, output: str) -> None:
    """Python source run as a script in a forked child: 1 when it raises, else 0."""
    _enter(env, cwd, output)
    status = 0
    try:
        exec(compile(code, "<forked script>", "exec"), {"__name__": "__main__"})
    except BaseException:  # the exit code and the traceback say it
        import traceback

        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Exit code and combined stdout/stderr of `dbt <args>` run in cwd with exactly env."""
    return _run_child(_invoke, args, env, cwd)


def run_python(code: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Exit code and combined stdout/stderr of Python source run in a child of the warm
    forkserver (what every dbt invocation of the suite starts from), in cwd with exactly env."""
    return _run_child(_execute, code, env, cwd)


def _run_child(
    target: Callable[..., None], payload: object, env: dict[str, str], cwd: Path
) -> tuple[int, str]:
    """Exit code and output of target(payload, env, cwd, output file) in a forked child."""
    handle, name = tempfile.mkstemp(prefix="dbt-output-", suffix=".txt")
    os.close(handle)
    output = Path(name)
    try:
        child = _forkserver().Process(target=target, args=(payload, env, str(cwd), name))
        child.start()
        child.join()
        text = output.read_text(errors="replace")
    finally:
        output.unlink(missing_ok=True)
    assert child.exitcode is not None
    return child.exitcode, text
