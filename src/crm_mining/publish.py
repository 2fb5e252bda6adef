"""Publish the marts for BI tools: Parquet files plus a read-only DuckDB database, swapped in
atomically, so that readers never hold (or wait for) the lock of the database dbt writes.

Layout of the export directory (default: `exports/` beside the DuckDB file dbt builds):

    exports/parquet/<mart>.parquet      one file per mart
    exports/crm_mining_marts.duckdb     every mart as a table, for DuckDB-capable BI tools

Every file is written under a temporary name in the same directory and moved over the old one
with `os.replace` (atomic on POSIX): a reader sees either the previous complete file or the new
complete one, and a reader that holds the old file open keeps reading it until it reconnects.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

BI_DATABASE_NAME = "crm_mining_marts.duckdb"


@dataclass(frozen=True)
class PublishedMart:
    """One mart as published: its name, rows and the Parquet file it went to."""

    mart_name: str
    row_count: int
    parquet_path: str


def default_export_dir(database_path: str) -> Path:
    """`exports/` beside the DuckDB file dbt builds (an in-memory database exports to ./exports)."""
    if not database_path or database_path == ":memory:":
        return Path("exports").resolve()
    return Path(database_path).resolve().parent / "exports"


def _temporary_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def publish_parquet(write_parquet: Callable[[str], None], mart_name: str, export_dir: Path) -> Path:
    """Write one mart with `write_parquet(path)` to a temporary file, then swap it into place."""
    target = export_dir / "parquet" / f"{mart_name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_sibling(target)
    try:
        write_parquet(str(temporary))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def publish_bi_database(parquet_files: dict[str, Path], export_dir: Path) -> Path:
    """Build a DuckDB file holding every mart as a table (from its Parquet file), swap it in."""
    target = export_dir / BI_DATABASE_NAME
    temporary = _temporary_sibling(target)
    try:
        with duckdb.connect(str(temporary)) as con:
            for mart_name, parquet_path in sorted(parquet_files.items()):
                con.execute(
                    f'create table "{mart_name}" as select * from read_parquet(?)',
                    [str(parquet_path)],
                )
            con.execute("checkpoint")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return target


def parquet_row_count(path: Path) -> int:
    """Rows of a Parquet file, from its footer."""
    with duckdb.connect() as con:
        rows = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchall()
    return int(rows[0][0])
