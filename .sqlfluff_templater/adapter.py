"""Lint-time stand-in for dbt's `adapter` (sqlfluff jinja templater only).

`adapter.dispatch('name', 'crm_mining')(args)` renders `name(args)`: the engine-specific SQL is
linted where it is written, in the macro files themselves.
"""

from typing import Any


def dispatch(name: str, macro_namespace: str | None = None) -> Any:
    return lambda *args, **kwargs: f"{name}({', '.join(str(arg) for arg in args)})"


def quote(identifier: str) -> str:
    return f'"{identifier}"'


def type() -> str:  # noqa: A001 - mirrors dbt's adapter.type()
    return "duckdb"
