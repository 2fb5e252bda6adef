"""The benchmarks' memory cgroup (crm_mining.bench.memory_cap): a command is measured with each
page counted once, capped or not, and killed when it needs more than its cap."""

from __future__ import annotations

import sys

import pytest

from crm_mining.bench.build import peak_note
from crm_mining.bench.common import Timing, run_timed
from crm_mining.bench.memory_cap import MemoryCap, parse_bytes, unavailable_reason

MIB = 1024**2

#: Allocates and touches $1 MiB, then forks a child that keeps the same pages (shared,
#: copy-on-write, never written): RSS summed over both processes counts them twice.
ALLOCATE_AND_FORK = """
import os, sys, time
block = bytearray(int(sys.argv[1]) * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
pid = os.fork()
time.sleep(1.5)
if pid:
    os.waitpid(pid, 0)
"""


def test_sizes_are_read_as_dbt_and_duckdb_write_them() -> None:
    assert parse_bytes("8GiB") == 8 * 1024**3
    assert parse_bytes("8G") == 8 * 1024**3
    assert parse_bytes("512MiB") == 512 * MIB
    assert parse_bytes("1.5g") == int(1.5 * 1024**3)
    assert parse_bytes("4096") == 4096


@pytest.fixture
def cgroups() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.mark.usefixtures("cgroups")
def test_shared_pages_are_counted_once() -> None:
    with MemoryCap(400 * MIB) as cap:
        timing = run_timed([sys.executable, "-c", ALLOCATE_AND_FORK, "150"], memory_cap=cap)
    assert timing.peak_cgroup_mb is not None
    assert 150 <= timing.peak_cgroup_mb < 300, timing.peak_cgroup_mb


@pytest.mark.usefixtures("cgroups")
def test_a_command_over_the_cap_is_killed() -> None:
    with MemoryCap(100 * MIB) as cap, pytest.raises(RuntimeError, match=r"memory cap of 0\.1 GiB"):
        run_timed([sys.executable, "-c", ALLOCATE_AND_FORK, "300"], memory_cap=cap)


@pytest.mark.usefixtures("cgroups")
def test_an_uncapped_cgroup_measures_and_kills_nothing() -> None:
    """The whole builds of `make bench` run in a cgroup without a limit, for their peak."""
    with MemoryCap(None) as cap:
        timing = run_timed([sys.executable, "-c", ALLOCATE_AND_FORK, "300"], memory_cap=cap)
    assert timing.peak_cgroup_mb is not None
    assert 300 <= timing.peak_cgroup_mb < 600, timing.peak_cgroup_mb


def test_the_peak_names_what_it_measured() -> None:
    """A build's row gives the larger of the cgroup's peak and the largest process's RSS when
    every run had a cgroup (libraries already loaded elsewhere are not charged to it), else
    the largest RSS."""
    in_cgroups = [Timing(1.0, 900.0, "", 1_200.0), Timing(2.0, 950.0, "", 1_100.0)]
    peak, text = peak_note(in_cgroups)
    assert peak == 1_200.0
    assert "in its cgroup" in text and "1,200 MB" in text and "(950 MB)" in text
    peak, _ = peak_note([Timing(1.0, 1_090.0, "", 940.0)])
    assert peak == 1_090.0
    peak, text = peak_note([*in_cgroups, Timing(3.0, 1_000.0, "")])
    assert (peak, text) == (1_000.0, "peak: RSS of the largest process")
