"""Several dbt invocations on Spark in one process, so that they share one JVM.

dbt-spark (method: session) starts a local Spark JVM in the dbt process, about half a minute on
two cores, and keeps its SparkSession for the life of the process (`getOrCreate`). Run as
separate `dbt` commands, the Spark tests paid that start once per command; run here, one after
the other through dbtRunner (dbt's programmatic entry point, the same code as the `dbt`
command), they pay it once. Each invocation keeps its own working directory, environment,
target and log directories; they share the Spark warehouse and metastore of the first one.

Run as a script: `python spark_runs.py spec.json`, spec = a list of {cwd, args, env}. It stops
at the first invocation that fails. `run_in_one_jvm` is the caller's side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_START = "@@crm_mining spark_runs: invocation {index} starts"
_END = "@@crm_mining spark_runs: invocation {index} exits {code}"


@dataclass(frozen=True)
class Invocation:
    cwd: Path
    args: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    returncode: int  # as the `dbt` command's: 0 success, 1 failures, 2 errors; -1 not run
    output: str  # dbt's log lines of this invocation (the JVM's own lines filtered out)


def run_in_one_jvm(invocations: list[Invocation], spec_path: Path) -> list[Outcome]:
    """Run the invocations in one Python process; the outcome of each, in order."""
    spec_path.write_text(
        json.dumps([{"cwd": str(i.cwd), "args": i.args, "env": i.env} for i in invocations])
    )
    completed = subprocess.run(
        [sys.executable, __file__, str(spec_path)],
        capture_output=True,
        text=True,
        check=False,
        env=invocations[0].env,
    )
    outcomes = []
    for index in range(len(invocations)):
        start, end = _START.format(index=index), _END.format(index=index, code="")
        if start not in completed.stdout:
            outcomes.append(Outcome(-1, f"not run\n{completed.stderr[-4000:]}"))
            continue
        text = completed.stdout.split(start, 1)[1]
        body, _, rest = text.partition(end)
        code = int(rest.split("\n", 1)[0]) if rest else completed.returncode or 2
        output = "\n".join(
            line
            for line in body.splitlines()
            # PySpark's JSON log and its per-query session warnings: the dbt lines say it
            if not line.startswith('{"ts"') and "WARN SparkSession" not in line
        )
        if code != 0:
            output += "\n" + completed.stderr[-4000:]
        outcomes.append(Outcome(code, output))
    return outcomes


def _main(spec_path: str) -> int:
    from dbt.cli.main import dbtRunner

    for index, invocation in enumerate(json.loads(Path(spec_path).read_text())):
        os.chdir(invocation["cwd"])
        os.environ.clear()
        os.environ.update(invocation["env"])
        print(_START.format(index=index), flush=True)
        result = dbtRunner().invoke(invocation["args"])
        code = 0 if result.success else 2 if result.exception is not None else 1
        if result.exception is not None:
            print(f"dbt raised: {result.exception!r}", flush=True)
        print(_END.format(index=index, code=code), flush=True)
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
