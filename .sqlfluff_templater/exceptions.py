"""Lint-time stand-in for dbt's `exceptions` namespace (sqlfluff jinja templater only)."""


def raise_compiler_error(message: str) -> None:
    raise RuntimeError(message)


def warn(message: str) -> str:
    return ""
