"""Lint-time stand-in for dbt's `dbt.*` cross-database macros (sqlfluff jinja templater only).

Each macro renders as a plain SQL function call with its arguments, e.g.
`{{ dbt.concat(['a', 'b']) }}` -> `concat(a, b)`, so that sqlfluff can parse and lint the
model; the real SQL comes from dbt at build time. Never imported by dbt itself.
"""

from typing import Any

TYPES = {
    "type_string": "varchar",
    "type_bigint": "bigint",
    "type_int": "integer",
    "type_float": "double",
    "type_numeric": "numeric",
    "type_timestamp": "timestamp",
    "type_boolean": "boolean",
}


def _flatten(args: tuple[Any, ...]) -> list[str]:
    flat: list[str] = []
    for arg in args:
        if isinstance(arg, (list, tuple)):
            flat.extend(str(item) for item in arg)
        else:
            flat.append(str(arg))
    return flat


def __getattr__(name: str) -> Any:
    if name in TYPES:
        return lambda *args, **kwargs: TYPES[name]
    if name == "date_spine":  # a whole query in dbt; a parseable one here
        return lambda *args, **kwargs: "select cast(null as date) as date_day"
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: f"{name}({', '.join(_flatten(args))})"
