"""Fitting the CLV models for the marts, the out-of-time check and the churn baseline.

`fit_clv_models` fits BG/NBD and Gamma-Gamma on the summary as of as_of_date and checks the
BG/NBD out of time: refitted on the summary as of as_of_date - H (the calibration snapshot),
it predicts each calibration customer's repeat purchase days in the last H days before
as_of_date, which the holdout observed. The naive baseline continues each customer's past
rate: x / T repeat purchase days per day of age (0 when T = 0), times H.

`churn_baseline` scores the churn model's training customers with 1 - P(alive) of a BG/NBD fitted
as of the churn training cutoff, and reports the ROC AUC of that score on the churn labels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crm_mining.clv.bgnbd import (
    LIMIT_TOLERANCE,
    BgNbdFit,
    BgNbdParams,
    expected_purchases,
    fit_bgnbd,
)
from crm_mining.clv.bgnbd import probability_alive as bgnbd_probability_alive
from crm_mining.clv.gamma_gamma import GammaGammaFit, GammaGammaParams, fit_gamma_gamma
from crm_mining.clv.scoring import (
    ClvSettings,
    fallback_order_value,
    float_column,
    summary_arrays,
)
from crm_mining.metrics import roc_auc

#: Columns of the one-row output of `fit_clv_models` (int_clv_model_fitted), with dtypes.
METRICS_DTYPES: dict[str, str] = {
    "customers": "Int64",
    "repeat_customers": "Int64",
    "is_bgnbd_converged": "boolean",
    "bgnbd_fallback_reason": "string",
    "bgnbd_r": "Float64",
    "bgnbd_alpha": "Float64",
    "bgnbd_a": "Float64",
    "bgnbd_b": "Float64",
    "bgnbd_log_likelihood": "Float64",
    "gamma_gamma_customers": "Int64",
    "is_gamma_gamma_converged": "boolean",
    "gamma_gamma_fallback_reason": "string",
    "gamma_gamma_p": "Float64",
    "gamma_gamma_q": "Float64",
    "gamma_gamma_v": "Float64",
    "gamma_gamma_log_likelihood": "Float64",
    "frequency_spend_correlation": "Float64",
    "population_order_value": "Float64",
    "calibration_customers": "Int64",
    "calibration_repeat_customers": "Int64",
    "is_calibration_converged": "boolean",
    "holdout_fallback_reason": "string",
    "calibration_r": "Float64",
    "calibration_alpha": "Float64",
    "calibration_a": "Float64",
    "calibration_b": "Float64",
    "holdout_actual_purchases": "Int64",
    "holdout_predicted_purchases": "Float64",
    "holdout_mae": "Float64",
    "baseline_predicted_purchases": "Float64",
    "baseline_mae": "Float64",
}

#: Columns of the one-row output of `churn_baseline` (int_clv_churn_baseline_evaluated).
CHURN_BASELINE_DTYPES: dict[str, str] = {
    "training_customers": "Int64",
    "churned_training_customers": "Int64",
    "is_bgnbd_converged": "boolean",
    "fallback_reason": "string",
    "bgnbd_r": "Float64",
    "bgnbd_alpha": "Float64",
    "bgnbd_a": "Float64",
    "bgnbd_b": "Float64",
    "p_alive_roc_auc": "Float64",
}


def exact_sum(values: np.ndarray) -> float:
    """The correctly rounded sum (math.fsum): the same bits whatever the order of the rows."""
    return math.fsum(values.tolist())


def _one_row(values: dict[str, Any], dtypes: dict[str, str]) -> pd.DataFrame:
    """A one-row frame with exactly the columns of dtypes, None as the dtype's null."""
    return pd.DataFrame(
        {name: pd.Series([values.get(name)], dtype=dtype) for name, dtype in dtypes.items()}
    )


def _params(fit: BgNbdFit, prefix: str) -> dict[str, float | None]:
    p = fit.params
    return {
        f"{prefix}_r": p.r if p else None,
        f"{prefix}_alpha": p.alpha if p else None,
        f"{prefix}_a": p.a if p else None,
        f"{prefix}_b": p.b if p else None,
    }


def holdout_check(
    calibration: pd.DataFrame, holdout: pd.DataFrame, settings: ClvSettings
) -> dict[str, Any]:
    """The out-of-time check on the calibration snapshot (see the module docstring).

    calibration: summary frame as of as_of_date - H; holdout: customer_id,
    holdout_purchase_days (repeat purchase days in [as_of_date - H, as_of_date)).
    """
    frame = calibration.merge(
        holdout[["customer_id", "holdout_purchase_days"]], on="customer_id", how="left"
    )
    x, t_x, age = summary_arrays(frame)
    actual = np.nan_to_num(float_column(frame, "holdout_purchase_days"))
    horizon = float(settings.horizon_days)
    fit = fit_bgnbd(x, t_x, age, settings.min_repeat_customers)
    values: dict[str, Any] = {
        "calibration_customers": fit.customers,
        "calibration_repeat_customers": fit.repeat_customers,
        "is_calibration_converged": fit.is_converged,
        **_params(fit, "calibration"),
    }
    if len(frame) == 0:
        values["holdout_fallback_reason"] = (
            "no customer with a purchase before as_of_date - clv_horizon_days"
        )
        return values
    baseline = np.where(age > 0, x / np.where(age > 0, age, 1.0), 0.0) * horizon
    values |= {
        "holdout_actual_purchases": int(actual.sum()),
        "baseline_predicted_purchases": exact_sum(baseline),
        "baseline_mae": exact_sum(np.abs(baseline - actual)) / len(frame),
    }
    if fit.params is None:
        values["holdout_fallback_reason"] = f"calibration fit: {fit.message}"
        return values
    predicted = expected_purchases(fit.params, horizon, x, t_x, age)
    values |= {
        "holdout_predicted_purchases": exact_sum(predicted),
        "holdout_mae": exact_sum(np.abs(predicted - actual)) / len(frame),
    }
    return values


def fit_clv_models(
    scoring: pd.DataFrame,
    calibration: pd.DataFrame,
    holdout: pd.DataFrame,
    settings: ClvSettings,
) -> tuple[pd.DataFrame, BgNbdFit, GammaGammaFit]:
    """The one-row metrics frame (METRICS_DTYPES) and the two fits on the scoring snapshot."""
    x, t_x, age = summary_arrays(scoring)
    bgnbd = fit_bgnbd(x, t_x, age, settings.min_repeat_customers)
    spend = fit_gamma_gamma(
        x, float_column(scoring, "repeat_purchase_value_mean"), settings.min_repeat_customers
    )
    population = spend.params.population_mean if spend.params else fallback_order_value(scoring)
    values: dict[str, Any] = {
        "customers": bgnbd.customers,
        "repeat_customers": bgnbd.repeat_customers,
        "is_bgnbd_converged": bgnbd.is_converged,
        "bgnbd_fallback_reason": None if bgnbd.is_converged else bgnbd.message,
        **_params(bgnbd, "bgnbd"),
        "bgnbd_log_likelihood": bgnbd.log_likelihood,
        "gamma_gamma_customers": spend.customers,
        "is_gamma_gamma_converged": spend.is_converged,
        "gamma_gamma_fallback_reason": None if spend.params else spend.message,
        "gamma_gamma_p": spend.params.p if spend.params else None,
        "gamma_gamma_q": spend.params.q if spend.params else None,
        "gamma_gamma_v": spend.params.v if spend.params else None,
        "gamma_gamma_log_likelihood": spend.log_likelihood,
        "frequency_spend_correlation": spend.frequency_spend_correlation,
        "population_order_value": population,
        **holdout_check(calibration, holdout, settings),
    }
    return _one_row(values, METRICS_DTYPES), bgnbd, spend


def params_from_metrics(
    metrics: pd.DataFrame,
) -> tuple[BgNbdParams | None, GammaGammaParams | None, float | None]:
    """BG/NBD and Gamma-Gamma parameters and the population order value of the metrics row."""
    row = metrics.iloc[0]

    def value(name: str) -> float | None:
        raw = row[name]
        return None if raw is None or pd.isna(raw) else float(raw)

    bgnbd = None
    if value("bgnbd_r") is not None:
        bgnbd = BgNbdParams(*(value(f"bgnbd_{n}") for n in ("r", "alpha", "a", "b")))  # type: ignore[arg-type]
    spend = None
    if value("gamma_gamma_p") is not None:
        spend = GammaGammaParams(*(value(f"gamma_gamma_{n}") for n in ("p", "q", "v")))  # type: ignore[arg-type]
    return bgnbd, spend, value("population_order_value")


def churn_baseline(
    summary: pd.DataFrame, labels: pd.DataFrame, settings: ClvSettings
) -> pd.DataFrame:
    """One row (CHURN_BASELINE_DTYPES): ROC AUC of 1 - P(alive) on the churn training labels.

    summary: the CLV summary as of the churn training cutoff; labels: customer_id, is_churned
    (int_churn_labels_observed). The BG/NBD is fitted on every customer of the summary and the
    AUC computed over the customers that also have a label (the same customers: both come
    from the purchase orders before the cutoff).
    """
    x, t_x, age = summary_arrays(summary)
    fit = fit_bgnbd(x, t_x, age, settings.min_repeat_customers)
    labelled = summary[["customer_id"]].merge(
        labels[["customer_id", "is_churned"]], on="customer_id", how="inner"
    )
    churned = labelled["is_churned"].astype("bool").to_numpy()
    values: dict[str, Any] = {
        "training_customers": len(labelled),
        "churned_training_customers": int(churned.sum()),
        "is_bgnbd_converged": fit.is_converged,
        **_params(fit, "bgnbd"),
    }
    if fit.params is None:
        values["fallback_reason"] = fit.message
        return _one_row(values, CHURN_BASELINE_DTYPES)
    alive = pd.Series(
        bgnbd_probability_alive(fit.params, x, t_x, age), index=summary["customer_id"]
    )
    score = 1.0 - alive.reindex(labelled["customer_id"]).to_numpy()
    if not fit.is_converged and np.ptp(alive.to_numpy()) <= LIMIT_TOLERANCE:
        # A limit fit fixes P(alive) to LIMIT_TOLERANCE only: below that its differences are
        # where the optimiser stopped on the ridge, and would rank customers by noise.
        values["fallback_reason"] = (
            f"P(alive) is the same for every customer to {LIMIT_TOLERANCE:g} (BG/NBD {fit.message})"
        )
        return _one_row(values, CHURN_BASELINE_DTYPES)
    auc = roc_auc(churned, score)
    values["p_alive_roc_auc"] = auc
    if auc is None:
        values["fallback_reason"] = "the churn training labels have a single class: no ROC AUC"
    return _one_row(values, CHURN_BASELINE_DTYPES)
