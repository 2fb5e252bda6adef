"""Customer lifetime value from fitted BG/NBD and Gamma-Gamma models: settings, CLV, tiers.

Pure functions on numpy arrays and pandas frames, called by the dbt Python models of
python_models/clv/. Time is in days throughout (the summaries of int_clv_summaries_snapshotted).

    CLV = E(Z) * sum_{k=1..K} [E(Y(t_k)) - E(Y(t_{k-1}))] / (1 + d)^(t_k / 365),
    t_k = min(30 k, H), K = ceil(H / 30), t_0 = 0,

with H = clv_horizon_days, d = clv_discount_rate (annual), E(Y(t)) the BG/NBD expected repeat
purchases in the next t days and E(Z) the Gamma-Gamma expected value of a purchase: the
purchases expected in each 30-day step are valued at E(Z) and discounted from the end of the
step (lifetimes' customer_lifetime_value with a monthly rate (1 + d)^(30/365) - 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_mining.clv.bgnbd import (
    BgNbdParams,
    days_to_next_purchase,
    expected_purchases_of_patterns,
    patterns,
    probability_alive,
)
from crm_mining.clv.gamma_gamma import GammaGammaParams, expected_order_value
from crm_mining.config import ConfigError, config_float, config_int

#: Length of a discounting step (days), as lifetimes' monthly steps.
STEP_DAYS = 30
DAYS_PER_YEAR = 365.0
#: CLV tiers by percent rank of predicted_clv: 'high' from HIGH_RANK (the top 20 %), 'medium'
#: from MEDIUM_RANK (the next 30 %), 'low' below.
HIGH_RANK = 0.8
MEDIUM_RANK = 0.5

#: Columns of a summary frame (one row per customer, from int_clv_summaries_snapshotted).
SUMMARY_COLUMNS = (
    "customer_id",
    "repeat_purchase_days",
    "days_first_to_last_purchase",
    "customer_age_days",
    "repeat_purchase_value_mean",
    "purchase_value_mean",
)

#: Output columns of `score_customers` (int_clv_customers_scored), in order.
SCORE_COLUMNS = (
    "customer_id",
    "p_alive",
    "expected_purchases",
    "expected_order_value",
    "predicted_clv",
    "clv_tier",
    "days_to_next_purchase",
)


@dataclass(frozen=True)
class ClvSettings:
    """Tunables of the CLV models (dbt vars of the same names, see dbt_project.yml)."""

    #: Days of the forecast (expected purchases, CLV) and of the out-of-time holdout.
    horizon_days: int = 365
    #: Annual discount rate of the CLV.
    discount_rate: float = 0.1
    #: BG/NBD and Gamma-Gamma need at least this many repeat customers.
    min_repeat_customers: int = 10

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ConfigError("crm_mining: var 'clv_horizon_days' must be a positive integer.")
        if not self.discount_rate > -1.0:
            raise ConfigError("crm_mining: var 'clv_discount_rate' must be greater than -1.")
        if self.min_repeat_customers < 1:
            raise ConfigError("crm_mining: var 'clv_min_repeat_customers' must be at least 1.")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ClvSettings:
        """Settings from the dbt vars of the same names (values may arrive as text)."""
        return cls(
            horizon_days=int(config_int(config, "clv_horizon_days")),  # type: ignore[arg-type]
            discount_rate=float(config_float(config, "clv_discount_rate")),  # type: ignore[arg-type]
            min_repeat_customers=int(config_int(config, "clv_min_repeat_customers")),  # type: ignore[arg-type]
        )


def summary_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, t_x and T (days) of a summary frame as float64 arrays (DECIMAL-safe)."""
    return (
        summary["repeat_purchase_days"].astype("float64").to_numpy(),
        summary["days_first_to_last_purchase"].astype("float64").to_numpy(),
        summary["customer_age_days"].astype("float64").to_numpy(),
    )


def float_column(summary: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float64, nulls as NaN (works for DOUBLE and DECIMAL inputs)."""
    values = summary[column]
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values.astype("object"), errors="coerce").to_numpy("float64")


def discount_steps(horizon_days: int) -> np.ndarray:
    """Ends t_k of the discounting steps: 30, 60, ..., and the horizon itself last."""
    steps = np.arange(STEP_DAYS, horizon_days, STEP_DAYS, dtype="float64")
    return np.append(steps, float(horizon_days))


def discounted_purchases(
    params: BgNbdParams,
    x: np.ndarray,
    t_x: np.ndarray,
    age: np.ndarray,
    horizon_days: int,
    discount_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """E(Y(H)) and sum_k [E(Y(t_k)) - E(Y(t_{k-1}))] / (1 + d)^(t_k / 365) for each customer."""
    grouped = patterns(x, t_x, age)
    previous = np.zeros(len(grouped.x))
    discounted = np.zeros(len(grouped.x))
    for end in discount_steps(horizon_days):
        current = expected_purchases_of_patterns(params, float(end), grouped)
        discounted += (current - previous) / (1.0 + discount_rate) ** (end / DAYS_PER_YEAR)
        previous = current
    return previous[grouped.inverse], discounted[grouped.inverse]


def clv_tiers(values: np.ndarray) -> np.ndarray:
    """'high' / 'medium' / 'low' by percent rank (equal values, equal tier); None where NaN.

    percent rank = (rank - 1) / (N - 1), rank = 1 + number of smaller values (0 when N = 1),
    over the customers with a value.
    """
    values = np.asarray(values, dtype="float64")
    tiers = np.full(len(values), None, dtype=object)
    known = ~np.isnan(values)
    ranked = values[known]
    if len(ranked) == 0:
        return tiers
    below = np.searchsorted(np.sort(ranked), ranked, side="left")
    share = below / (len(ranked) - 1) if len(ranked) > 1 else np.zeros(len(ranked))
    tiers[known] = np.where(
        share >= HIGH_RANK, "high", np.where(share >= MEDIUM_RANK, "medium", "low")
    )
    return tiers


def fallback_order_value(summary: pd.DataFrame) -> float | None:
    """Spend when Gamma-Gamma is not fitted: the mean over customers of their mean purchase-day
    value (first purchase included, negative means counted as 0); None without customers."""
    if len(summary) == 0:
        return None
    values = np.maximum(np.nan_to_num(float_column(summary, "purchase_value_mean")), 0.0)
    # math.fsum: correctly rounded, so the same bits whatever the order of the rows.
    return math.fsum(values.tolist()) / len(values)


def score_customers(
    summary: pd.DataFrame,
    bgnbd: BgNbdParams | None,
    gamma_gamma: GammaGammaParams | None,
    order_value_fallback: float | None,
    settings: ClvSettings,
) -> pd.DataFrame:
    """One row per customer of the summary (columns SCORE_COLUMNS), sorted by customer_id.

    Without BG/NBD parameters p_alive, expected_purchases, predicted_clv, clv_tier and
    days_to_next_purchase are null. Without Gamma-Gamma parameters expected_order_value is
    order_value_fallback for every customer.
    """
    summary = summary.sort_values("customer_id", kind="stable", ignore_index=True)
    n = len(summary)
    x, t_x, age = summary_arrays(summary)
    if gamma_gamma is not None:
        order_value = expected_order_value(
            gamma_gamma, x, float_column(summary, "repeat_purchase_value_mean")
        )
    else:
        fallback = math.nan if order_value_fallback is None else order_value_fallback
        order_value = np.full(n, fallback)
    if bgnbd is not None:
        alive = probability_alive(bgnbd, x, t_x, age)
        purchases, discounted = discounted_purchases(
            bgnbd, x, t_x, age, settings.horizon_days, settings.discount_rate
        )
        clv = order_value * discounted
        next_days = np.floor(days_to_next_purchase(bgnbd, x, t_x, age, settings.horizon_days))
    else:
        alive = purchases = clv = next_days = np.full(n, math.nan)
    return pd.DataFrame(
        {
            "customer_id": summary["customer_id"].astype("string"),
            "p_alive": pd.Series(alive, dtype="Float64"),
            "expected_purchases": pd.Series(purchases, dtype="Float64"),
            "expected_order_value": pd.Series(order_value, dtype="Float64"),
            "predicted_clv": pd.Series(clv, dtype="Float64"),
            "clv_tier": pd.Series(clv_tiers(clv), dtype="string"),
            "days_to_next_purchase": pd.Series(next_days, dtype="float64").astype("Int64"),
        },
        columns=list(SCORE_COLUMNS),
    )
