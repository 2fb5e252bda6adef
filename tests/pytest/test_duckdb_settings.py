"""DuckDB's thread count and memory limit from the profile (CRM_DUCKDB_THREADS,
CRM_DUCKDB_MEMORY_LIMIT, crm_mining.duckdb_settings): unset or empty leaves DuckDB's default, a
value DuckDB reads opens the database with it, anything else stops dbt with the variable's
name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dbt.adapters.duckdb.plugins import BasePlugin
from harness import PROJECT_DIR, run_dbt

from crm_mining.duckdb_settings import parse_memory_limit, parse_threads


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), (" ", None),
                                                 ("1", 1), (" 3 ", 3), (4, 4)])  # fmt: skip
def test_thread_values(value: object, expected: int | None) -> None:
    assert parse_threads(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "+2"])
def test_bad_thread_values_name_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="CRM_DUCKDB_THREADS"):
        parse_threads(value)


def duckdb_setting(config: dict[str, object], name: str) -> str:
    """The value of setting `name` in a DuckDB opened with config, as DuckDB shows it."""
    with duckdb.connect(config=config) as con:  # type: ignore[arg-type]
        return str(con.sql(f"select current_setting('{name}')").fetchall()[0][0])


def duckdb_threads(config: dict[str, object]) -> int:
    return int(duckdb_setting(config, "threads"))


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("", None)])
def test_the_plugin_sets_threads_only_when_given(value: str, expected: int | None) -> None:
    plugin = BasePlugin.create("crm_mining.duckdb_settings", config={"threads": value})
    config: dict[str, object] = {"memory_limit": "1GiB"}
    plugin.update_connection_config(None, config)
    assert config.get("threads") == expected
    assert duckdb_threads(config) == (expected or duckdb_threads({}))


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("  ", None),
                                                 ("8GiB", "8GiB"), (" 500MB ", "500MB"),
                                                 ("50%", "50%"), ("2 GiB", "2 GiB")])  # fmt: skip
def test_memory_limit_values(value: object, expected: str | None) -> None:
    assert parse_memory_limit(value) == expected


@pytest.mark.parametrize("value", ["lots", "8", "1e9", "150%", "8 potatoes"])
def test_bad_memory_limits_name_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="CRM_DUCKDB_MEMORY_LIMIT") as raised:
        parse_memory_limit(value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize(("value", "expected"), [("2GiB", "2.0 GiB"), ("", None), (None, None)])
def test_the_plugin_passes_a_memory_limit_or_leaves_the_default(
    value: str | None, expected: str | None
) -> None:
    plugin = BasePlugin.create("crm_mining.duckdb_settings", config={"threads": ""})
    config: dict[str, object] = {} if value is None else {"memory_limit": value}
    plugin.update_connection_config(None, config)
    assert config.get("memory_limit") == (value or None)
    default = duckdb_setting({}, "memory_limit")
    assert duckdb_setting(config, "memory_limit") == (expected or default)


def test_the_plugin_stops_on_a_memory_limit_duckdb_refuses() -> None:
    plugin = BasePlugin.create("crm_mining.duckdb_settings", config={"threads": ""})
    with pytest.raises(ValueError, match=r"CRM_DUCKDB_MEMORY_LIMIT.*'lots'"):
        plugin.update_connection_config(None, {"memory_limit": "lots"})


def dev_profile() -> dict[str, Any]:
    """The dev target of the project's profiles.yml."""
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    return dict(profiles["crm_mining"]["outputs"]["dev"])


def test_the_profile_reads_the_variable() -> None:
    profile = dev_profile()
    (plugin,) = profile["plugins"]
    assert plugin["module"] == "crm_mining.duckdb_settings"
    assert plugin["config"]["threads"] == "{{ env_var('CRM_DUCKDB_THREADS', '') }}"
    # the memory limit is a config_options entry, which the plugin checks at connect
    memory_limit = profile["config_options"]["memory_limit"]
    assert memory_limit == "{{ env_var('CRM_DUCKDB_MEMORY_LIMIT', '80%') }}"


def test_dbt_opens_duckdb_with_the_threads_of_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through dbt: the plugin is loaded and the database opens with one thread."""
    monkeypatch.setenv("CRM_DUCKDB_THREADS", "1")
    run = run_dbt(
        ["show", "--inline", "select current_setting('threads') as threads", "--output", "json"],
        tmp_path,
    ).check()
    shown = json.loads(run.output[run.output.index("{") : run.output.rindex("}") + 1])
    assert shown["show"] == [{"threads": 1}]


def test_input_rows_are_numbered_in_file_order_with_the_profiles_settings(tmp_path: Path) -> None:
    """source_row_number (crm_input_row_number: row_number() over () around the file's scan,
    or a Parquet scan's file_row_number + 1) is the row's position in the file, though the
    profile lets DuckDB write tables without keeping insertion order: on four threads, over a
    CSV read in many buffers and a Parquet file of many row groups, with a filter above the
    numbering as a consumer adds one."""
    macro = (PROJECT_DIR / "macros" / "cross_db" / "crm_input_row_number.sql").read_text()
    assert "row_number() over ()\n{% endmacro %}" in macro
    assert "file_row_number + 1" in macro
    settings = dict(dev_profile()["settings"])
    assert settings["preserve_insertion_order"] is False
    rows = 300_000
    with duckdb.connect(config={"threads": 4, **settings}) as con:  # type: ignore[arg-type]
        source = (
            "select i as position, md5(cast(i as varchar)) as payload "
            f"from range(1, {rows + 1}) as t(i)"
        )
        con.execute(f"copy ({source}) to '{tmp_path / 'rows.csv'}' (header)")
        con.execute(f"copy ({source}) to '{tmp_path / 'rows.parquet'}' (row_group_size 2048)")
        scans = {
            # 64 KiB buffers: the 14 MB file is read by every thread, as a large input is
            "csv": f"read_csv('{tmp_path / 'rows.csv'}', header = true, all_varchar = true, "
            "buffer_size = 65536)",
            "parquet": f"read_parquet('{tmp_path / 'rows.parquet'}')",
        }
        numberings = {
            name: f"select *, row_number() over () as source_row_number from {scan}"
            for name, scan in scans.items()
        }
        # duckdb__crm_input_row_number on Parquet: the scan's own position, on every thread
        numberings["parquet file_row_number"] = (
            f"select *, file_row_number + 1 as source_row_number from {scans['parquet']}"
        )
        for name, numbered in numberings.items():
            misplaced, count = con.execute(
                "select count(*) filter (where cast(position as bigint) <> source_row_number), "
                f"count(*) from ({numbered})"
            ).fetchone()
            filtered_misplaced, filtered_count = con.execute(
                "select count(*) filter (where cast(position as bigint) <> source_row_number), "
                f"count(*) from ({numbered}) where cast(position as bigint) % 7 = 0"
            ).fetchone()
            assert (name, misplaced, count) == (name, 0, rows)
            assert (name, filtered_misplaced, filtered_count) == (name, 0, rows // 7)
