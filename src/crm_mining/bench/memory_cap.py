"""A memory cgroup for one benchmarked command: its peak memory with each page counted once, and
optionally a hard cap.

The peak RSS of a process (``ru_maxrss``) says little about a dbt build whose Python models
start worker processes: a forked worker's RSS counts the pages it shares with its parent, and
adding up the RSS of every process counts them twice or more. A Linux memory cgroup charges each
page once, whoever maps it, and with a limit set the kernel enforces it: a command that needs
more is killed (exit code -9). ``MemoryCap`` runs a command in a cgroup of its own (v1 or v2,
root only), with a limit or without one (measuring only), samples the cgroup's resident memory
and reports the largest sample: its anonymous memory (what a process allocates) and the file
pages its processes map (their shared libraries, DuckDB's and Python's among them), each page
once, as a process's RSS counts them; not the page cache of the files it reads and writes,
which the kernel reclaims before it kills anything. A file page is charged to the cgroup that
first brought it into memory: libraries already loaded by other processes when the command
starts are not in its figure (crm_mining.bench.build.peak_note also takes the largest RSS).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Where the kernel exposes the memory controller: cgroup v2 (unified), then v1.
CGROUP_V2 = Path("/sys/fs/cgroup")
CGROUP_V1 = Path("/sys/fs/cgroup/memory")
#: Seconds between two samples of the cgroup's memory.
SAMPLE_SECONDS = 0.5

UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_bytes(text: str) -> int:
    """'8GiB', '8G', '512MiB' or a number of bytes, as bytes."""
    value = text.strip().lower().removesuffix("ib").removesuffix("b")
    unit = value[-1] if value and value[-1] in UNITS else ""
    return int(float(value.removesuffix(unit)) * UNITS[unit])


def cgroup_root() -> tuple[Path, int] | None:
    """(the directory new cgroups go in, cgroup version) when this process may create one."""
    if (CGROUP_V2 / "cgroup.controllers").exists():
        if "memory" in (CGROUP_V2 / "cgroup.subtree_control").read_text().split():
            root = CGROUP_V2
            return (root, 2) if os.access(root, os.W_OK) else None
        return None
    if (CGROUP_V1 / "memory.limit_in_bytes").exists() and os.access(CGROUP_V1, os.W_OK):
        return CGROUP_V1, 1
    return None


def unavailable_reason() -> str | None:
    """Why a memory cgroup cannot be made here (not Linux, no memory controller, not root)."""
    if cgroup_root() is None:
        return "no writable memory cgroup (Linux cgroup v1 or v2 with the memory controller, root)"
    return None


@dataclass
class MemoryCap:
    """A memory cgroup limited to limit_bytes (None: no limit, it only measures): ``preexec``
    puts a child process in it (pass it to subprocess.Popen's preexec_fn), ``peak_mb`` is the
    largest sample of its resident memory since ``__enter__``."""

    limit_bytes: int | None
    peak_mb: float = 0.0
    path: Path = field(init=False)
    version: int = field(init=False)
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _sampler: threading.Thread | None = field(init=False, default=None)

    def __enter__(self) -> MemoryCap:
        found = cgroup_root()
        if found is None:
            raise RuntimeError(unavailable_reason())
        root, self.version = found
        self.path = root / f"crm_mining_bench_{os.getpid()}"
        self.path.mkdir(exist_ok=True)
        limit_file = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        unlimited = "max" if self.version == 2 else "-1"
        limit = unlimited if self.limit_bytes is None else str(self.limit_bytes)
        (self.path / limit_file).write_text(limit)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def preexec(self) -> None:
        """Runs in the child between fork and exec: moves it into the cgroup."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def resident_bytes(self) -> int:
        """The cgroup's resident memory now: anonymous and mapped file pages (v1: total_rss
        and total_mapped_file, v2: anon and file_mapped)."""
        keys = {"anon", "file_mapped"} if self.version == 2 else {"total_rss", "total_mapped_file"}
        total = 0
        for line in (self.path / "memory.stat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name in keys:
                total += int(value)
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.resident_bytes() / 1024**2)
            time.sleep(SAMPLE_SECONDS)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        for _ in range(20):  # the kernel frees the cgroup once its last process has gone
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)
