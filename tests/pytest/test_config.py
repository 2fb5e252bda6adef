"""crm_mining.config: every settings class reads its vars the same way."""

from __future__ import annotations

import pytest

from crm_mining.config import ConfigError, config_float, config_int, config_str


def test_values_rendered_as_text_are_parsed() -> None:
    config = {"k": "42", "k2": "42.0", "share": "0.25", "name": " isotonic "}
    assert config_int(config, "k") == 42
    assert config_int(config, "k2") == 42
    assert config_float(config, "share") == 0.25
    assert config_str(config, "name") == "isotonic"


def test_a_missing_var_is_an_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="var 'churn_horizon_days' did not reach"):
        config_int({}, "churn_horizon_days")


@pytest.mark.parametrize("null", [None, "None", "none", "null", ""])
def test_null_is_an_error_unless_optional(null: object) -> None:
    with pytest.raises(ConfigError, match="var 'workers' must be set"):
        config_int({"workers": null}, "workers")
    assert config_int({"workers": null}, "workers", optional=True) is None


@pytest.mark.parametrize(("value", "message"), [("4.5", "an integer"), ("abc", "an integer")])
def test_wrong_kinds_name_the_var(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"var 'k' must be {message}, got '{value}'"):
        config_int({"k": value}, "k")


def test_a_float_that_is_not_a_number_names_the_var() -> None:
    with pytest.raises(ConfigError, match="var 'share' must be a number"):
        config_float({"share": "a quarter"}, "share")
