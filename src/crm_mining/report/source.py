"""Where the report reads the marts: the warehouse dbt builds, or the published exports.

Every source is presented the same way: an in-memory DuckDB connection with one view per mart,
named after the mart, so the queries of `crm_mining.report.queries` read marts by bare name
whatever their schema or file format. The warehouse is attached read-only: the report never
writes to it, and may run while a BI tool reads the exports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from crm_mining.frames import to_pandas

#: The database of views over the exports that the run's end writes for BI tools
#: (macros/publish/crm_publish_marts.sql).
BI_DATABASE_NAME = "crm_mining_marts.duckdb"
#: Key of the Parquet metadata that marks a mart's file as a placeholder: published with no
#: rows before the mart was ever built (macros/publish/crm_publish_bi_views.sql).
PLACEHOLDER_KEY = "crm_mining_placeholder"
#: The DuckDB file dbt builds when CRM_DUCKDB_PATH is not set (see profiles.yml).
DEFAULT_DATABASE = Path(".data") / "crm_mining.duckdb"
_ALIAS = "crm_source"


def default_source() -> Path:
    """The warehouse of CRM_DUCKDB_PATH (as dbt uses it), else .data/crm_mining.duckdb."""
    return Path(os.environ.get("CRM_DUCKDB_PATH") or DEFAULT_DATABASE)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class MartSource:
    """An open source of marts: `frame(sql)` runs a query on views named after the marts."""

    description: str
    connection: duckdb.DuckDBPyConnection
    #: Column names of each mart that exists, in table order.
    mart_columns: dict[str, list[str]] = field(default_factory=dict)

    def has(self, mart: str) -> bool:
        """True when the mart exists in the source (it may still be empty)."""
        return mart in self.mart_columns

    def columns(self, mart: str) -> list[str]:
        """The mart's columns; empty when the mart does not exist."""
        return self.mart_columns.get(mart, [])

    def has_columns(self, mart: str, *names: str) -> bool:
        """True when the mart exists and has every column of `names`."""
        present = set(self.columns(mart))
        return self.has(mart) and all(name in present for name in names)

    def frame(self, sql: str) -> pd.DataFrame:
        """A query's result as a pandas DataFrame (through crm_mining.frames.to_pandas)."""
        return to_pandas(self.connection.sql(sql))

    def scalar(self, sql: str) -> Any:
        """The first value of a one-row query (None when it returns no row)."""
        row = self.connection.sql(sql).fetchall()
        return row[0][0] if row else None

    def row_count(self, mart: str) -> int:
        """Rows of a mart; 0 when it does not exist."""
        if not self.has(mart):
            return 0
        return int(self.scalar(f"select count(*) from {_quote(mart)}"))

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> MartSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(path: Path | str, marts: list[str]) -> MartSource:
    """Open `path` and expose the marts of `marts` that it holds as views.

    `path` is one of: the DuckDB file dbt builds (the warehouse), attached read-only; an
    exports folder, or its crm_mining_marts.duckdb, or any folder of `<mart>.parquet` files:
    the `<mart>.parquet` files of that folder. Marts missing from the source are simply absent
    (`has()` is False), as are the placeholders of marts never built: the report says so in
    the section that needs them.
    """
    path = Path(path)
    # No progress bar: the report prints one line, also on long queries over big marts.
    connection = duckdb.connect(":memory:")
    connection.execute("set enable_progress_bar = false")
    try:
        # The exports are read from their Parquet files in the folder given, not through the
        # BI database's views: those name the files by the absolute path they were written to,
        # which a copied or moved folder no longer has.
        if path.is_dir():
            return _parquet(connection, path, marts)
        if path.is_file() and path.name == BI_DATABASE_NAME:
            return _parquet(connection, path.parent, marts)
        if path.is_file():
            return _attach(connection, path, marts)
        raise FileNotFoundError(
            f"crm_mining report: no warehouse or exports at {path} (run `make build` first, "
            "or pass --source with a DuckDB file or an exports folder)"
        )
    except BaseException:
        connection.close()
        raise


def _attach(connection: duckdb.DuckDBPyConnection, database: Path, marts: list[str]) -> MartSource:
    connection.execute(f"attach {_literal(str(database.resolve()))} as {_ALIAS} (read_only)")
    found = connection.execute(
        "select table_name, schema_name from duckdb_tables() where database_name = ? "
        "union all "
        "select view_name, schema_name from duckdb_views() "
        "where database_name = ? and not internal",
        [_ALIAS, _ALIAS],
    ).fetchall()
    # A mart in several schemas (e.g. a dev and a ci schema): prefer main, then by name.
    schemas: dict[str, str] = {}
    for name, schema in sorted(found, key=lambda row: (row[0], row[1] != "main", row[1])):
        schemas.setdefault(name, schema)
    for mart in marts:
        if mart in schemas:
            relation = f"{_ALIAS}.{_quote(schemas[mart])}.{_quote(mart)}"
            connection.execute(f"create view {_quote(mart)} as select * from {relation}")
    return _described(connection, f"DuckDB file {database}", marts)


def _is_placeholder(connection: duckdb.DuckDBPyConnection, file: Path) -> bool:
    """True for the file of a mart that was never built (no rows, the placeholder key)."""
    marked = connection.execute(
        "select count(*) from parquet_kv_metadata(?) where key = ?",
        [str(file), PLACEHOLDER_KEY.encode()],
    ).fetchall()
    return marked[0][0] > 0


def _parquet(connection: duckdb.DuckDBPyConnection, folder: Path, marts: list[str]) -> MartSource:
    for mart in marts:
        file = folder / f"{mart}.parquet"
        if file.is_file() and not _is_placeholder(connection, file):
            connection.execute(
                f"create view {_quote(mart)} as "
                f"select * from read_parquet({_literal(str(file.resolve()))})"
            )
    return _described(connection, f"Parquet files in {folder}", marts)


def _described(
    connection: duckdb.DuckDBPyConnection, description: str, marts: list[str]
) -> MartSource:
    rows = connection.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        if table in marts:
            columns.setdefault(table, []).append(column)
    return MartSource(description, connection, columns)


def as_floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The numeric columns used, as float64 (money may arrive as DECIMAL)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype("float64")
    return frame


def absent(mart: str) -> str:
    """The sentence a section shows when `mart` is not in the source."""
    return f"The mart {mart} is not in this warehouse: build the project (`make build`) first."
