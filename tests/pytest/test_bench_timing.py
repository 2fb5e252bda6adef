"""crm_mining.bench.common.run_timed: the CPU time of a command and of every process it starts,
those it waits for and those that outlive it (dbt's sentiment workers), which the build rows
report beside the wall time."""

from __future__ import annotations

import subprocess
import sys
import time

from crm_mining.bench.common import run_timed

#: Python that keeps one core busy for 0.4 s of its own CPU time, then exits.
BUSY = (
    "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.4:\n    pass"
)


def test_a_busy_command_reports_its_cpu_time() -> None:
    timing = run_timed([sys.executable, "-c", BUSY])
    assert timing.cpu_seconds >= 0.4
    assert timing.cpu_seconds <= timing.seconds * 2 + 0.5  # at most two cores' worth


def test_a_waiting_command_reports_little_cpu_time() -> None:
    timing = run_timed([sys.executable, "-c", "import time\ntime.sleep(0.6)"])
    assert timing.seconds >= 0.6
    assert timing.cpu_seconds < 0.4


def test_the_cpu_time_of_a_child_it_waited_for_counts() -> None:
    parent = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {BUSY!r}])"
    timing = run_timed([sys.executable, "-c", parent])
    assert timing.cpu_seconds >= 0.4


def test_the_cpu_time_of_a_process_that_outlives_the_command_counts() -> None:
    """dbt's sentiment workers are forked by multiprocessing's fork server, which dbt does not
    wait for: the bench adopts such orphans and counts their CPU time (adopted_orphans)."""
    outliving = f"import time; time.sleep(0.2)\n{BUSY}"
    parent = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {outliving!r}])"  # not waited for
    )
    timing = run_timed([sys.executable, "-c", parent])
    assert timing.cpu_seconds >= 0.4


def test_children_started_before_the_command_are_left_alone() -> None:
    """adopted_orphans waits only for what the command left behind, not for a process the
    caller started before it (in pytest: the dbt launcher, which lives as long as the worker)."""
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as earlier:
        try:
            started = time.monotonic()
            run_timed([sys.executable, "-c", "pass"])
            assert time.monotonic() - started < 10
            assert earlier.poll() is None
        finally:
            earlier.kill()
