"""dbt-duckdb plugin: DuckDB settings of the profile that are optional and fixed at connect.

DuckDB's thread count (`threads`) has no value that means "DuckDB's default", so the profile
cannot pass it as a plain `config_options` entry read from an environment variable: unset must
leave the key out. This plugin, named in the profile's `plugins`, adds `threads` to the
connection's configuration only when its config gives one (profiles.yml reads
CRM_DUCKDB_THREADS; empty or unset: DuckDB's default, one thread per core).

Why a user sets it: DuckDB's memory-hungry operators (sorts, windows, hash aggregates) take
memory per thread; under a low `memory_limit` (CRM_DUCKDB_MEMORY_LIMIT) fewer threads spill
less and stay within the limit (docs/benchmarks.md, the 100 M out-of-core run).

The plugin also checks the profile's `memory_limit` (CRM_DUCKDB_MEMORY_LIMIT, a `config_options`
entry) before the database opens: a value DuckDB cannot read stops dbt with the variable's name
instead of DuckDB's "Memory must have a number", and an empty one leaves DuckDB's default (80%
of RAM), as an empty CRM_DUCKDB_THREADS does.
"""

from __future__ import annotations

from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin


def parse_threads(value: Any) -> int | None:
    """The thread count a config value asks for; None for unset or empty (DuckDB's default).

    Raises ValueError naming CRM_DUCKDB_THREADS for anything but a positive integer.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"CRM_DUCKDB_THREADS (DuckDB's thread count) must be a positive integer or empty, "
            f"got {value!r}"
        )
    return int(text)


def parse_memory_limit(value: Any) -> str | None:
    """The memory limit a config value asks for, without surrounding spaces; None for unset or
    empty (DuckDB's default, 80% of RAM).

    DuckDB decides what it reads (sizes such as 8GiB or 500MB, shares of RAM such as 50%):
    the value is tried on an in-memory database. Raises ValueError naming
    CRM_DUCKDB_MEMORY_LIMIT, with DuckDB's reason, for anything it refuses.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        duckdb.connect(config={"memory_limit": text}).close()
    except duckdb.Error as error:
        raise ValueError(
            f"CRM_DUCKDB_MEMORY_LIMIT (the profile's memory_limit, DuckDB's memory limit) must "
            f"be a size such as 8GiB or 500MB, a share of RAM such as 50%, or empty, "
            f"got {value!r}: {error}"
        ) from error
    return text


class Plugin(BasePlugin):
    """Adds the optional settings to the configuration DuckDB opens the database with."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.threads = parse_threads(plugin_config.get("threads"))

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        if self.threads is not None:
            config["threads"] = self.threads
        memory_limit = parse_memory_limit(config.get("memory_limit"))
        if memory_limit is None:
            config.pop("memory_limit", None)
        else:
            config["memory_limit"] = memory_limit
