"""Timing helpers shared by the benchmark modules: median of runs and peak memory per process."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    #: Run in a memory cgroup (MemoryCap, capped or not): the peak of the memory of the command
    #: and of every process it started, each page counted once.
    peak_cgroup_mb: float | None = None
    #: User + system CPU seconds of the command and of every process it started, including
    #: those that outlived it or their parent (dbt's sentiment workers, forked by a fork
    #: server that dbt does not wait for; see adopted_orphans): the work done, which the
    #: wall time hides on a busy machine.
    cpu_seconds: float = 0.0


#: prctl(2) option: orphaned descendants are re-parented to this process instead of init.
PR_SET_CHILD_SUBREAPER = 36
#: How long run_timed waits for the processes that outlive the command to end.
ORPHANS_TIMEOUT_SECONDS = 60.0


def _set_child_subreaper(enabled: bool) -> bool:
    """Make this process the subreaper of its descendants (Linux); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, int(enabled), 0, 0, 0) == 0


def _children() -> set[int]:
    """Process ids whose parent is this process (from /proc)."""
    me, found = os.getpid(), set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry.name))
    return found


@contextmanager
def adopted_orphans() -> Iterator[list[float]]:
    """While inside, processes orphaned by a command this process starts are re-parented to
    it (Linux: PR_SET_CHILD_SUBREAPER) rather than to init, whose CPU time nobody reports. On
    leaving, it waits for those orphans to end (at most ORPHANS_TIMEOUT_SECONDS) and puts
    their user + system CPU seconds in the yielded list. Children this process had before
    are left alone. Elsewhere (no such option) the list stays empty."""
    cpu: list[float] = []
    enabled = _set_child_subreaper(True)
    before = _children() if enabled else set()
    try:
        yield cpu
    finally:
        if enabled:
            deadline = time.monotonic() + ORPHANS_TIMEOUT_SECONDS
            # An orphan that ends may orphan its own children: look again until none is left.
            while (orphans := _children() - before) and time.monotonic() < deadline:
                for pid in orphans:
                    try:
                        reaped, _, usage = os.wait4(pid, os.WNOHANG)
                    except ChildProcessError:
                        continue
                    if reaped:
                        cpu.append(usage.ru_utime + usage.ru_stime)
                time.sleep(0.05)
            _set_child_subreaper(False)


def run_timed(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT_DIR,
    memory_cap: MemoryCap | None = None,
) -> Timing:
    """Run a command, return its wall time, the peak RSS of it and its children (Linux), and
    the CPU time they used, with that of the processes that outlived it (adopted_orphans).

    memory_cap: run it in that cgroup (entered), under its hard limit if it has one.
    """
    start = time.perf_counter()
    with adopted_orphans() as orphans_cpu:
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
        seconds = time.perf_counter() - start  # the command's: not the orphans' last moments
    if process.returncode != 0:
        killed = (
            f" (killed: over the memory cap of {memory_cap.limit_bytes / 1024**3:.1f} GiB?)"
            if memory_cap and memory_cap.limit_bytes is not None and process.returncode == -9
            else ""
        )
        raise RuntimeError(
            f"{' '.join(command)} failed ({process.returncode}){killed}:\n{output[-4000:]}"
        )
    cgroup_peak = memory_cap.peak_mb if memory_cap else None
    cpu_seconds = usage.ru_utime + usage.ru_stime + sum(orphans_cpu)
    return Timing(seconds, usage.ru_maxrss / 1024.0, output, cgroup_peak, cpu_seconds)


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
