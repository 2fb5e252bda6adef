"""Reading dbt vars inside Python models: one behaviour for every settings class.

A dbt Python model sees a var only through its config (`dbt.config.get("name")`, with the YAML
line `name: "{{ var('name') }}"`), and the value arrives rendered as text ("42", "0.25",
"None"). Defaults live only in dbt_project.yml: a var that did not reach the config is an error
naming it, never a silent second default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: What an unset var renders to in a model config.
_NULL_TEXTS = frozenset({"", "none", "null"})


class ConfigError(ValueError):
    """A var missing from a Python model's config, or with a value of the wrong kind."""


def _raw(config: Mapping[str, Any], name: str, optional: bool) -> Any | None:
    if name not in config:
        raise ConfigError(
            f"crm_mining: var '{name}' did not reach the model config: add "
            f"`{name}: \"{{{{ var('{name}') }}}}\"` to the model's YAML config and read it "
            f'with dbt.config.get("{name}").'
        )
    value = config[name]
    if value is None or (isinstance(value, str) and value.strip().lower() in _NULL_TEXTS):
        if optional:
            return None
        raise ConfigError(f"crm_mining: var '{name}' must be set (it is null).")
    return value


def config_int(config: Mapping[str, Any], name: str, *, optional: bool = False) -> int | None:
    """The var as an integer ("42", 42 and "42.0" are 42; "4.5" is an error naming the var)."""
    value = _raw(config, name, optional)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"crm_mining: var '{name}' must be an integer, got '{value}'.") from None
    if not number.is_integer():
        raise ConfigError(f"crm_mining: var '{name}' must be an integer, got '{value}'.")
    return int(number)


def config_float(config: Mapping[str, Any], name: str, *, optional: bool = False) -> float | None:
    """The var as a float; a value that is not a number is an error naming the var."""
    value = _raw(config, name, optional)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"crm_mining: var '{name}' must be a number, got '{value}'.") from None


def config_str(config: Mapping[str, Any], name: str, *, optional: bool = False) -> str | None:
    """The var as text (stripped)."""
    value = _raw(config, name, optional)
    return None if value is None else str(value).strip()
