"""The benchmarks' hard memory cap (crm_mining.bench.memory_cap): a capped command is measured
with each page counted once, and killed when it needs more than the cap."""

from __future__ import annotations

import sys

import pytest

from crm_mining.bench.common import run_timed
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
    assert timing.peak_capped_mb is not None
    assert 150 <= timing.peak_capped_mb < 300, timing.peak_capped_mb


@pytest.mark.usefixtures("cgroups")
def test_a_command_over_the_cap_is_killed() -> None:
    with MemoryCap(100 * MIB) as cap, pytest.raises(RuntimeError, match=r"memory cap of 0\.1 GiB"):
        run_timed([sys.executable, "-c", ALLOCATE_AND_FORK, "300"], memory_cap=cap)
