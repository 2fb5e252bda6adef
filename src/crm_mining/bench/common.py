"""Timing helpers shared by the benchmark modules: median of runs and peak memory per process."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_mining.bench.memory_cap import MemoryCap

PROJECT_DIR = Path(__file__).resolve().parents[3]
DBT = Path(sys.executable).with_name("dbt")


def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml with their defaults (what a plain `dbt build` uses)."""
    import yaml

    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


@dataclass
class BenchResult:
    """One line of docs/benchmarks.md."""

    area: str
    benchmark: str
    scale: str
    runs: int
    median_seconds: float
    peak_rss_mb: float | None
    note: str = ""


@dataclass
class Timing:
    """Wall time, peak resident memory and CPU time of one child process."""

    seconds: float
    peak_rss_mb: float
    output: str
    #: With a memory cap: the peak of the command's memory, each page counted once (MemoryCap).
    peak_capped_mb: float | None = None
    #: User + system CPU seconds of the command and the children it waited for (dbt's
    #: sentiment workers): the work done, which the wall time hides on a busy machine.
    cpu_seconds: float = 0.0


def run_timed(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT_DIR,
    memory_cap: MemoryCap | None = None,
) -> Timing:
    """Run a command, return its wall time, the peak RSS of it and its children (Linux), and
    the CPU time they used.

    memory_cap: run it in that cgroup (entered), under its hard limit.
    """
    start = time.perf_counter()
    with subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=memory_cap.preexec if memory_cap else None,
    ) as process:
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        killed = (
            f" (killed: over the memory cap of {memory_cap.limit_bytes / 1024**3:.1f} GiB?)"
            if memory_cap and process.returncode == -9
            else ""
        )
        raise RuntimeError(
            f"{' '.join(command)} failed ({process.returncode}){killed}:\n{output[-4000:]}"
        )
    capped = memory_cap.peak_mb if memory_cap else None
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return Timing(seconds, usage.ru_maxrss / 1024.0, output, capped, cpu_seconds)


def dbt_env(work_dir: Path) -> dict[str, str]:
    """Environment of a dbt invocation with its own database file, target and logs."""
    work_dir.mkdir(parents=True, exist_ok=True)
    return {
        "CRM_DUCKDB_PATH": str(work_dir / "crm.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_VERSION_CHECK": "False",
    }


def dbt_command(args: list[str], dbt_vars: dict[str, Any] | None = None) -> list[str]:
    """The dbt command line for args and vars."""
    command = [str(DBT), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars, default=str)]
    return command


def median_of(timings: list[Timing]) -> tuple[float, float]:
    """Median seconds and the largest peak RSS (MB) of several runs."""
    return statistics.median(t.seconds for t in timings), max(t.peak_rss_mb for t in timings)


def machine_description() -> str:
    """One line naming the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "unknown RAM"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"
