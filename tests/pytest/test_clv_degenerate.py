"""CLV on degenerate data (issue 16): nobody repeats, one customer, all purchases on one day,
the optimiser not converging, returned purchases, no customer at all. The helpers never raise:
the model columns fall back (null, or the population mean for the order value) and the metrics
row says why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracles import nbd as nbd_oracle

from crm_mining.clv import bgnbd, gamma_gamma
from crm_mining.clv.evaluation import (
    CHURN_BASELINE_DTYPES,
    METRICS_DTYPES,
    churn_baseline,
    fit_clv_models,
    params_from_metrics,
)
from crm_mining.clv.scoring import SCORE_COLUMNS, ClvSettings, score_customers
from crm_mining.datagen.bgnbd import PlantedParams, simulate_summary

SETTINGS = ClvSettings(horizon_days=365, discount_rate=0.1, min_repeat_customers=10)


def summary(
    x: list[float],
    t_x: list[float],
    age: list[float],
    repeat_value: list[float | None] | None = None,
    value: list[float] | None = None,
) -> pd.DataFrame:
    """A summary frame as int_clv_summaries_snapshotted gives it to the Python models."""
    n = len(x)
    repeat_value = repeat_value or [None if xi == 0 else 20.0 for xi in x]
    return pd.DataFrame(
        {
            "customer_id": pd.Series([f"c{i:05d}" for i in range(n)], dtype="object"),
            "repeat_purchase_days": pd.Series(x, dtype="int64"),
            "days_first_to_last_purchase": pd.Series(t_x, dtype="int64"),
            "customer_age_days": pd.Series(age, dtype="int64"),
            "repeat_purchase_value_mean": pd.Series(repeat_value, dtype="float64"),
            "purchase_value_mean": pd.Series(value or [25.0] * n, dtype="float64"),
        }
    )


def holdout(frame: pd.DataFrame, purchases: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": frame["customer_id"], "holdout_purchase_days": purchases})


def healthy(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    """A summary drawn from a BG/NBD (days rounded down), for the cases that need a fit."""
    ages = np.random.default_rng(seed).integers(200, 700, n).astype(float)
    planted = simulate_summary(n, PlantedParams(), ages, horizon=365.0, seed=seed)
    t_x = np.where(planted.x > 0, np.maximum(np.floor(planted.t_x), planted.x), 0.0)
    spend = [None if x == 0 else 20.0 + i % 7 for i, x in enumerate(planted.x)]
    return summary(planted.x.tolist(), t_x.tolist(), planted.age.tolist(), spend)


def run(frame: pd.DataFrame, settings: ClvSettings = SETTINGS) -> tuple[pd.Series, pd.DataFrame]:
    """The metrics row and the scores, as the two Python models compute them."""
    metrics, _, _ = fit_clv_models(frame, frame, holdout(frame), settings)
    assert list(metrics.columns) == list(METRICS_DTYPES)
    assert [str(t) for t in metrics.dtypes] == list(METRICS_DTYPES.values())
    bgnbd_params, spend, order_value = params_from_metrics(metrics)
    scores = score_customers(frame, bgnbd_params, spend, order_value, settings)
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert len(scores) == len(frame)
    return metrics.iloc[0], scores


def assert_bgnbd_fallback(row: pd.Series, scores: pd.DataFrame, reason: str) -> None:
    assert row["is_bgnbd_converged"] is np.False_ or row["is_bgnbd_converged"] is False
    assert reason in row["bgnbd_fallback_reason"]
    assert pd.isna(row["bgnbd_r"]) and pd.isna(row["bgnbd_log_likelihood"])
    for column in ("p_alive", "expected_purchases", "predicted_clv", "clv_tier"):
        assert scores[column].isna().all(), column
    assert scores["days_to_next_purchase"].isna().all()


def test_nobody_repeats() -> None:
    frame = summary([0] * 50, [0] * 50, list(range(10, 60)), value=[10.0] * 25 + [30.0] * 25)
    row, scores = run(frame)
    assert_bgnbd_fallback(row, scores, "0 customers with a repeat purchase day, fewer than the 10")
    assert "Gamma-Gamma not fitted" in row["gamma_gamma_fallback_reason"]
    # Order value falls back to the population mean of the purchase-day values.
    assert row["population_order_value"] == pytest.approx(20.0)
    assert (scores["expected_order_value"] == 20.0).all()
    assert row["holdout_fallback_reason"].startswith("calibration fit: 0 customers")
    assert row["baseline_predicted_purchases"] == 0.0 and row["holdout_actual_purchases"] == 0
    assert pd.isna(row["holdout_mae"])


def test_one_customer() -> None:
    frame = summary([3], [40], [100])
    row, scores = run(frame)
    assert_bgnbd_fallback(row, scores, "1 customers with a repeat purchase day, fewer than the 10")
    assert row["customers"] == 1 and row["repeat_customers"] == 1
    # Even allowed to try (clv_min_repeat_customers 1), one customer has no interior maximum.
    row, scores = run(frame, ClvSettings(365, 0.1, 1))
    assert_bgnbd_fallback(row, scores, "BG/NBD")
    assert row["bgnbd_fallback_reason"] != "converged"
    assert "1 repeat customers with a positive mean" in row["gamma_gamma_fallback_reason"]


def test_all_purchases_on_one_day() -> None:
    """Everybody bought once, on the last day the data covers: x = 0 and T = 0."""
    frame = summary([0] * 30, [0] * 30, [0] * 30)
    row, scores = run(frame, ClvSettings(365, 0.1, 1))
    assert_bgnbd_fallback(row, scores, "0 customers with a repeat purchase day, fewer than the 1")
    assert row["baseline_predicted_purchases"] == 0.0  # T = 0: past rate taken as 0


def test_nobody_drops_out_gives_the_nbd_limit() -> None:
    """Purchases of a Gamma-Poisson process in which nobody drops out (planted r 0.8, alpha 40
    per day): the BG/NBD likelihood rises towards a -> 0 and has no interior maximum. The fit is
    kept as a limit fit whose predictions are the NBD's, fitted from its own formulas."""
    rng = np.random.default_rng(5)
    n = 2000
    rates = rng.gamma(0.8, 1 / 40.0, n)
    ages = rng.integers(60, 730, n).astype(float)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        days = np.unique(np.round(rng.uniform(0.0, ages[i], rng.poisson(rates[i] * ages[i]))))
        x[i], t_x[i] = len(days), days.max(initial=0.0)
    fit = bgnbd.fit_bgnbd(x, t_x, ages, 10)
    assert fit.params is not None and not fit.is_converged
    assert fit.message.startswith("no interior maximum")
    assert "(nobody drops out)" in fit.message
    r, alpha = nbd_oracle.fit_nbd(x, ages)
    assert r == pytest.approx(0.8, rel=0.1) and alpha == pytest.approx(40.0, rel=0.15)
    expected = nbd_oracle.expected_purchases(r, alpha, 365.0, x, ages)
    predicted = bgnbd.expected_purchases(fit.params, 365.0, x, t_x, ages)
    assert np.allclose(predicted, expected, rtol=1e-4, atol=1e-4)
    assert np.all(bgnbd.probability_alive(fit.params, x, t_x, ages) > 1 - 1e-6)
    # Through the marts' helpers: the reason is kept beside the parameters, every score filled.
    row, scores = run(summary(x.tolist(), t_x.tolist(), ages.tolist()))
    assert not row["is_bgnbd_converged"] and row["bgnbd_fallback_reason"] == fit.message
    assert row["bgnbd_r"] == fit.params.r
    assert scores["predicted_clv"].notna().all() and scores["clv_tier"].notna().all()
    # P(alive) is 1 to 1e-3 for everybody: no churn ranking from it, and the reason says why.
    frame = summary(x.tolist(), t_x.tolist(), ages.tolist())
    labels = pd.DataFrame({"customer_id": frame["customer_id"], "is_churned": x == 0})
    baseline = churn_baseline(frame, labels, SETTINGS).iloc[0]
    assert pd.isna(baseline["p_alive_roc_auc"]) and pd.notna(baseline["bgnbd_r"])
    assert baseline["fallback_reason"].startswith("P(alive) is the same for every customer")


def test_optimiser_not_converging(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = healthy()
    monkeypatch.setattr(bgnbd, "MAX_ITERATIONS", 1)
    monkeypatch.setattr(gamma_gamma, "MAX_ITERATIONS", 1)
    row, scores = run(frame)
    assert_bgnbd_fallback(
        row, scores, "BG/NBD fit did not converge to a maximum after 1 iterations"
    )
    assert "Gamma-Gamma fit did not converge" in row["gamma_gamma_fallback_reason"]
    assert row["population_order_value"] == pytest.approx(25.0)
    assert "did not converge" in row["holdout_fallback_reason"]
    # The same data converges with the default iterations.
    monkeypatch.undo()
    row, scores = run(frame)
    assert row["is_bgnbd_converged"] and pd.isna(row["bgnbd_fallback_reason"])
    assert scores["p_alive"].notna().all() and scores["predicted_clv"].notna().all()


def test_returned_repeat_purchases() -> None:
    """Customers whose repeat purchase days were returned beyond their value (m_x <= 0) are left
    out of Gamma-Gamma; their expected order value is shrunk towards 0, never negative."""
    frame = healthy()
    repeat = frame["repeat_purchase_days"] > 0
    values = np.where(repeat, 20.0 + (np.arange(len(frame)) % 7), np.nan)
    returned = repeat & (np.arange(len(frame)) % 5 == 0)
    values[returned] = np.where(np.arange(len(frame))[returned] % 2 == 0, 0.0, -12.5)
    frame["repeat_purchase_value_mean"] = values
    row, scores = run(frame)
    assert row["gamma_gamma_customers"] == int((repeat & ~returned).sum())
    assert row["is_gamma_gamma_converged"]
    value = scores.set_index("customer_id")["expected_order_value"].astype(float)
    shrunk = value[frame.loc[returned, "customer_id"]]
    kept = value[frame.loc[repeat & ~returned, "customer_id"]]
    assert (shrunk >= 0).all() and shrunk.max() < kept.min()
    assert (scores["predicted_clv"].astype(float) >= 0).all()


def test_every_repeat_purchase_returned() -> None:
    frame = healthy()
    frame["repeat_purchase_value_mean"] = np.where(frame["repeat_purchase_days"] > 0, -5.0, np.nan)
    frame["purchase_value_mean"] = -1.0
    row, scores = run(frame)
    assert row["gamma_gamma_customers"] == 0
    assert "0 repeat customers with a positive mean" in row["gamma_gamma_fallback_reason"]
    assert row["population_order_value"] == 0.0  # negative means count as 0
    assert row["is_bgnbd_converged"]
    assert (scores["predicted_clv"] == 0.0).all()


def test_no_customer_at_all() -> None:
    """Every order returned (or no order): the summaries are empty."""
    frame = summary([], [], [])
    row, scores = run(frame)
    assert row["customers"] == 0 and row["bgnbd_fallback_reason"] == "no customer with a purchase"
    assert pd.isna(row["population_order_value"])
    assert row["holdout_fallback_reason"] == (
        "no customer with a purchase before as_of_date - clv_horizon_days"
    )
    assert scores.empty


def test_churn_baseline_fallbacks() -> None:
    frame = healthy(500)
    labels = pd.DataFrame({"customer_id": frame["customer_id"], "is_churned": True})
    result = churn_baseline(frame, labels, SETTINGS)
    assert list(result.columns) == list(CHURN_BASELINE_DTYPES)
    row = result.iloc[0]
    assert pd.isna(row["p_alive_roc_auc"]) and "single class" in row["fallback_reason"]
    row = churn_baseline(summary([], [], []), labels.iloc[:0], SETTINGS).iloc[0]
    assert row["training_customers"] == 0 and row["fallback_reason"] == (
        "no customer with a purchase"
    )


def test_results_do_not_depend_on_row_order() -> None:
    """Same customers in another order (DuckDB's parallel scans give no order): the metrics row
    and the scores are identical to the bit."""
    frame = healthy(4000, seed=3)
    actual = holdout(frame).assign(holdout_purchase_days=frame["repeat_purchase_days"] % 3)
    shuffled = frame.sample(frac=1.0, random_state=1, ignore_index=True)
    first, _, _ = fit_clv_models(frame, frame, actual, SETTINGS)
    second, _, _ = fit_clv_models(shuffled, shuffled, actual.sample(frac=1.0, random_state=2),
                                  SETTINGS)  # fmt: skip
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    params = params_from_metrics(first)
    pd.testing.assert_frame_equal(
        score_customers(frame, *params, SETTINGS),
        score_customers(shuffled, *params, SETTINGS),
        check_exact=True,
    )
