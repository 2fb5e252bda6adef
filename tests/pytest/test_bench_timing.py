"""crm_mining.bench.common.run_timed: the CPU time of a command and of every process it starts,
those it waits for and those that outlive it (dbt's sentiment workers), which the build rows
report beside the wall time."""

from __future__ import annotations

import subprocess
import sys

from crm_mining.bench.common import run_timed

#: Python that keeps one core busy for 0.4 s of its own CPU time, then exits.
BUSY = (
    "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.4:\n    pass"
)
#: Appended to a command: it prints the CPU time the process itself has used so far, as the
#: kernel counts it (the same counters as the rusage that run_timed reads when it exits).
OWN_CPU = (
    "\nimport resource\nusage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('own cpu', usage.ru_utime + usage.ru_stime)"
)


def own_cpu(output: str) -> float:
    """The CPU seconds a command printed with OWN_CPU."""
    [line] = [line for line in output.splitlines() if line.startswith("own cpu ")]
    return float(line.removeprefix("own cpu "))


def test_a_busy_command_reports_its_cpu_time_once() -> None:
    """At least what the process counted itself (the loop's 0.4 s), and not that twice: what
    it uses after printing (its exit) is far less than its 0.4 s loop."""
    timing = run_timed([sys.executable, "-c", BUSY + OWN_CPU])
    reported = own_cpu(timing.output)
    assert reported >= 0.4
    assert reported <= timing.cpu_seconds < 2 * reported


def test_a_waiting_command_reports_only_the_cpu_time_it_used() -> None:
    """A command that sleeps 0.6 s: its CPU time is what it counted itself plus its exit,
    never the sleep."""
    timing = run_timed([sys.executable, "-c", "import time\ntime.sleep(0.6)" + OWN_CPU])
    reported = own_cpu(timing.output)
    assert timing.seconds >= 0.6
    assert reported <= timing.cpu_seconds < reported + 0.6


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
            run_timed([sys.executable, "-c", "pass"])
            assert earlier.poll() is None  # still sleeping: run_timed did not wait for it
        finally:
            earlier.kill()
