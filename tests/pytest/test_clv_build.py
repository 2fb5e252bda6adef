"""CLV through dbt (issue 16): the SQL summaries equal lifetimes' and the shipped CDNOW summary,
and the marts on generated data equal an independent assembly with lifetimes.

One session build of the CDNOW conversion (scripts/onboarding/cdnow.py) with the selection the
assertions need: the CLV marts and fct_customer_rfm, clv_horizon_days 273 (39 weeks) so that
the calibration cutoff is 1997-10-01, Fader & Hardie's 39-week calibration period.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from conftest import UNIT_TESTS_RUN_ELSEWHERE, DbtRun, run_dbt
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
from oracles.rfm import decimal_of, to_amount
from scipy.optimize import brentq
from sklearn.metrics import roc_auc_score

from crm_mining.clv.bgnbd import BgNbdParams, fit_bgnbd
from crm_mining.clv.scoring import discount_steps
from scripts.onboarding.cdnow import convert, source_file

SUMMARY = ["repeat_purchase_days", "days_first_to_last_purchase", "customer_age_days"]


@pytest.fixture(scope="session")
def cdnow_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    data_dir = tmp_path_factory.mktemp("cdnow_data")
    convert(data_dir)
    return run_dbt(
        ["build", "--select", "+fct_clv_model_metrics", "+fct_customer_lifetime_value",
         "+fct_customer_rfm", *UNIT_TESTS_RUN_ELSEWHERE],
        tmp_path_factory.mktemp("cdnow_build"),
        {"data_dir": str(data_dir), "clv_horizon_days": 273},
    ).check()  # fmt: skip


@pytest.fixture(scope="module")
def cdnow_transactions() -> pd.DataFrame:
    """The raw CDNOW sample: one transaction per line."""
    raw = pd.read_csv(
        source_file(),
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "cds", "amount"],
        dtype={"customer_id": str, "date": str, "amount": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    raw["exact_amount"] = raw["amount"].map(Decimal)
    raw["amount"] = raw["amount"].astype(float)
    return raw


def snapshot(run: DbtRun, name: str) -> pd.DataFrame:
    return run.df(
        f"select * from int_clv_summaries_snapshotted where snapshot_name = '{name}' "
        "order by customer_id"
    ).set_index("customer_id")


def repeat_value_means(
    frame: pd.DataFrame, customer: str, date: str, amount: str, index: pd.Index
) -> pd.Series:
    """lifetimes' monetary_value (the mean value of a customer's repeat purchase days, 0 without
    one) computed exactly from DECIMAL amounts and rounded as the SQL rounds an amount: 4
    decimals, ties away from zero (README "Types"). A float mean rounded afterwards would miss
    the ties."""
    by_day = frame.groupby([customer, date])[amount].apply(lambda v: sum(v, Decimal(0)))
    means = {}
    for key, days in by_day.groupby(level=0):
        repeat = days.sort_index().iloc[1:]
        means[key] = float(to_amount(sum(repeat, Decimal(0)) / len(repeat))) if len(repeat) else 0.0
    return pd.Series(means).reindex(index)


def lifetimes_model(r: float, alpha: float, a: float, b: float) -> BetaGeoFitter:
    model = BetaGeoFitter()
    model.params_ = pd.Series({"r": r, "alpha": alpha, "a": a, "b": b})
    return model


@pytest.mark.parametrize(
    ("name", "last_day"), [("scoring", "1998-06-30"), ("calibration", "1997-09-30")]
)
def test_cdnow_summary_equals_lifetimes(
    cdnow_build: DbtRun, cdnow_transactions: pd.DataFrame, name: str, last_day: str
) -> None:
    """lifetimes' summary_data_from_transaction_data (days, observation_period_end = the last day
    before the cutoff) on the transactions the project keeps (the 8 lines of amount 0.00 are
    rejected): every customer, x, t_x, T and the mean repeat value (an amount: 4 decimals, ties
    away from zero) equal."""
    kept = cdnow_transactions[
        (cdnow_transactions["amount"] > 0) & (cdnow_transactions["date"] <= last_day)
    ]
    expected = summary_data_from_transaction_data(
        kept, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=last_day, freq="D",
    ).sort_index()  # fmt: skip
    got = snapshot(cdnow_build, name)
    assert got.index.tolist() == expected.index.tolist()
    assert got["repeat_purchase_days"].tolist() == expected["frequency"].astype(int).tolist()
    assert got["days_first_to_last_purchase"].tolist() == expected["recency"].astype(int).tolist()
    assert got["customer_age_days"].tolist() == expected["T"].astype(int).tolist()
    np.testing.assert_array_equal(
        got["repeat_purchase_value_mean"].fillna(0.0).to_numpy(float),
        repeat_value_means(kept, "customer_id", "date", "exact_amount", got.index).to_numpy(float),
    )


def test_cdnow_calibration_summary_equals_the_shipped_one(
    cdnow_build: DbtRun, cdnow_transactions: pd.DataFrame
) -> None:
    """The 39-week calibration summary shipped with lifetimes (weeks, 2 decimals): equal for every
    customer except the 8 whose only purchase is a line of amount 0.00 (rejected: no purchase
    order, so no row); with those 8 rows added back, the fit is the published one."""
    shipped = pd.read_csv(source_file().with_name("cdnow_customers_summary.csv"))
    sample_ids = cdnow_transactions.drop_duplicates("customer_id").set_index("customer_id")
    got = snapshot(cdnow_build, "calibration")
    got["ID"] = got.index.map(sample_ids["sample_id"])
    rejected = set(cdnow_transactions.loc[cdnow_transactions["amount"] == 0, "sample_id"])
    assert len(rejected) == 8
    merged = shipped.merge(got, on="ID", how="left", validate="one_to_one")
    missing = merged["repeat_purchase_days"].isna()
    assert set(merged.loc[missing, "ID"]) == rejected
    present = merged[~missing]
    assert len(present) == 2357 - 8
    assert (present["repeat_purchase_days"] == present["frequency"]).all()
    assert ((present["days_first_to_last_purchase"] / 7).round(2) == present["recency"]).all()
    assert ((present["customer_age_days"] / 7).round(2) == present["T"]).all()

    weeks = np.concatenate(
        [
            present[SUMMARY].to_numpy(float) / [1.0, 7.0, 7.0],
            merged.loc[missing, ["frequency", "recency", "T"]].to_numpy(float),
        ]
    )
    fit = fit_bgnbd(weeks[:, 0], weeks[:, 1], weeks[:, 2])
    assert fit.params is not None
    assert [float(f"{v:.2e}") for v in (fit.params.r, fit.params.a)] == [0.243, 0.793]
    assert round(fit.params.alpha, 2) == 4.41 and round(fit.params.b, 2) == 2.43


def test_cdnow_metrics_equal_lifetimes(
    cdnow_build: DbtRun, cdnow_transactions: pd.DataFrame
) -> None:
    metrics = cdnow_build.df("fct_clv_model_metrics").iloc[0]
    assert str(metrics["calibration_cutoff_date"])[:10] == "1997-10-01"
    calibration = snapshot(cdnow_build, "calibration")
    reference = BetaGeoFitter().fit(
        calibration["repeat_purchase_days"], calibration["days_first_to_last_purchase"],
        calibration["customer_age_days"],
    )  # fmt: skip
    for name in ("r", "alpha", "a", "b"):
        assert metrics[f"calibration_{name}"] == pytest.approx(reference.params_[name], rel=1e-4)
    # The published fit (per week) to 2-3 digits despite the 8 rejected customers.
    assert metrics["calibration_alpha"] / 7 == pytest.approx(4.414, rel=0.01)
    # Holdout: distinct purchase days of the calibration customers in weeks 40-78.
    kept = cdnow_transactions[cdnow_transactions["amount"] > 0]
    holdout = kept[(kept["date"] >= "1997-10-01") & kept["customer_id"].isin(calibration.index)]
    actual = holdout.groupby("customer_id")["date"].nunique()
    assert metrics["holdout_actual_purchases"] == actual.sum() == 1882
    model = lifetimes_model(*(metrics[f"calibration_{n}"] for n in ("r", "alpha", "a", "b")))
    predicted = model.conditional_expected_number_of_purchases_up_to_time(
        273, *(calibration[c] for c in SUMMARY)
    )
    assert metrics["holdout_predicted_purchases"] == pytest.approx(predicted.sum(), rel=1e-9)
    errors = (predicted - actual.reindex(calibration.index, fill_value=0)).abs()
    assert metrics["holdout_mae"] == pytest.approx(errors.mean(), rel=1e-9)
    assert metrics["holdout_mae"] < metrics["baseline_mae"]


def test_cdnow_scores_equal_lifetimes(cdnow_build: DbtRun) -> None:
    metrics = cdnow_build.df("fct_clv_model_metrics").iloc[0]
    scores = cdnow_build.df("fct_customer_lifetime_value").set_index("customer_id").sort_index()
    model = lifetimes_model(*(metrics[f"bgnbd_{n}"] for n in ("r", "alpha", "a", "b")))
    history = [scores[c].to_numpy(float) for c in SUMMARY]
    np.testing.assert_allclose(
        scores["p_alive"], model.conditional_probability_alive(*history), atol=1e-6
    )
    np.testing.assert_allclose(
        scores["expected_purchases"],
        model.conditional_expected_number_of_purchases_up_to_time(273, *history),
        atol=1e-6,
    )


def expected_clv_marts(run: DbtRun) -> pd.DataFrame:
    """fct_customer_lifetime_value rebuilt from fct_orders and the fitted parameters, with
    lifetimes' summary, BG/NBD and Gamma-Gamma formulas and pandas."""
    as_of = pd.Timestamp(run.scalar("select as_of_date from int_as_of_date_resolved"))
    horizon = int(run.scalar("select clv_horizon_days from fct_clv_model_metrics"))
    orders = run.df(
        "select customer_id, order_date, net_revenue from fct_orders "
        "where is_purchase_order and customer_id is not null"
    )
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders["exact_revenue"] = orders["net_revenue"].map(decimal_of)
    orders["net_revenue"] = orders["net_revenue"].astype(float)
    summary = summary_data_from_transaction_data(
        orders, "customer_id", "order_date", monetary_value_col="net_revenue",
        observation_period_end=as_of - pd.Timedelta(days=1), freq="D",
    )  # fmt: skip
    metrics = run.df("fct_clv_model_metrics").iloc[0]
    model = lifetimes_model(*(metrics[f"bgnbd_{n}"] for n in ("r", "alpha", "a", "b")))
    spend = GammaGammaFitter()
    spend.params_ = pd.Series({n: metrics[f"gamma_gamma_{n}"] for n in ("p", "q", "v")})
    history = (summary["frequency"], summary["recency"], summary["T"])
    frame = pd.DataFrame(index=summary.index)
    frame["repeat_purchase_days"] = summary["frequency"]
    frame["p_alive"] = model.conditional_probability_alive(*history)
    frame["expected_order_value"] = spend.conditional_expected_average_profit(
        summary["frequency"],
        repeat_value_means(
            orders, "customer_id", "order_date", "exact_revenue", summary.index
        ).clip(lower=0),
    )
    previous, discounted = 0.0, 0.0
    for end in discount_steps(horizon):
        current = model.conditional_expected_number_of_purchases_up_to_time(end, *history)
        discounted = discounted + (current - previous) / 1.1 ** (end / 365)
        previous = current
    frame["expected_purchases"] = previous
    frame["predicted_clv"] = frame["expected_order_value"] * discounted
    share = (frame["predicted_clv"].rank(method="min") - 1) / (len(frame) - 1)
    frame["clv_tier"] = np.where(share >= 0.8, "high", np.where(share >= 0.5, "medium", "low"))
    return frame


def test_clv_marts_equal_an_independent_assembly(generated_build: DbtRun) -> None:
    mart = generated_build.df("fct_customer_lifetime_value").set_index("customer_id")
    expected = expected_clv_marts(generated_build)
    assert sorted(mart.index) == sorted(expected.index)
    mart = mart.loc[expected.index]
    assert (mart["repeat_purchase_days"] == expected["repeat_purchase_days"]).all()
    # lifetimes takes ln 2F1, NaN where 2F1 < 0 (x = 0 with a + b < 1): compare where finite.
    finite = np.isfinite(expected["expected_purchases"])
    assert finite.mean() > 0.5
    for column in ("p_alive", "expected_order_value"):
        np.testing.assert_allclose(mart[column], expected[column], rtol=1e-9, err_msg=column)
    for column in ("expected_purchases", "predicted_clv"):
        np.testing.assert_allclose(
            mart.loc[finite, column], expected.loc[finite, column], rtol=1e-6, err_msg=column
        )
    if finite.all():
        assert mart["clv_tier"].tolist() == expected["clv_tier"].tolist()
    assert mart["clv_tier"].value_counts(normalize=True)["high"] == pytest.approx(0.2, abs=0.02)
    # Next purchase: the day the chance of a purchase reaches 1/2, solved numerically.
    metrics = generated_build.df("fct_clv_model_metrics").iloc[0]
    r, alpha = metrics["bgnbd_r"], metrics["bgnbd_alpha"]
    horizon = float(metrics["clv_horizon_days"])
    checked = 0
    for customer, row in mart.iloc[::25].iterrows():

        def chance(s: float, row: pd.Series = row) -> float:
            base = (alpha + row["customer_age_days"]) / (alpha + row["customer_age_days"] + s)
            return row["p_alive"] * (1.0 - base ** (r + row["repeat_purchase_days"])) - 0.5

        if chance(horizon) < 0:
            assert pd.isna(row["days_to_next_purchase"]), customer
            assert pd.isna(row["expected_next_purchase_date"]), customer
            continue
        checked += 1
        days = int(np.floor(brentq(chance, 0.0, horizon, xtol=1e-12)))
        assert row["days_to_next_purchase"] == days, customer
        assert pd.Timestamp(row["expected_next_purchase_date"]) == pd.Timestamp(
            row["as_of_date"]
        ) + pd.Timedelta(days=days)
    assert checked > 10


def test_churn_baseline_equals_scikit_learn(generated_build: DbtRun) -> None:
    summary = snapshot(generated_build, "churn_training")
    labels = generated_build.df("int_churn_labels_observed").set_index("customer_id")
    row = generated_build.df("int_clv_churn_baseline_evaluated").iloc[0]
    model = lifetimes_model(*(row[f"bgnbd_{n}"] for n in ("r", "alpha", "a", "b")))
    alive = model.conditional_probability_alive(*(summary[c].to_numpy(float) for c in SUMMARY))
    score = pd.Series(1.0 - alive, index=summary.index).reindex(labels.index)
    auc = roc_auc_score(labels["is_churned"].astype(bool), score)
    metrics = generated_build.df("fct_churn_model_metrics").iloc[0]
    assert metrics["p_alive_baseline_roc_auc"] == pytest.approx(auc, abs=1e-12)


def test_clv_metrics_on_generated_data(generated_build: DbtRun) -> None:
    """Converged fits, and the out-of-time check recomputed: actuals, baseline and prediction."""
    metrics = generated_build.df("fct_clv_model_metrics").iloc[0]
    assert metrics["is_bgnbd_converged"] and metrics["is_gamma_gamma_converged"]
    calibration = snapshot(generated_build, "calibration")
    holdout = generated_build.df("int_clv_holdout_purchases_observed").set_index("customer_id")
    x, t_x, age = (calibration[c].to_numpy(float) for c in SUMMARY)
    horizon = float(metrics["clv_horizon_days"])
    actual = holdout["holdout_purchase_days"].reindex(calibration.index).to_numpy(float)
    baseline = np.where(age > 0, x / np.maximum(age, 1.0), 0.0) * horizon
    assert metrics["baseline_predicted_purchases"] == pytest.approx(baseline.sum(), rel=1e-9)
    assert metrics["baseline_mae"] == pytest.approx(np.abs(baseline - actual).mean(), rel=1e-9)
    assert metrics["holdout_actual_purchases"] == actual.sum()
    # The same summary gives the same fit, to the bit.
    refit = fit_bgnbd(x, t_x, age, 10).params
    assert refit == BgNbdParams(*(metrics[f"calibration_{n}"] for n in ("r", "alpha", "a", "b")))
    assert metrics["holdout_mae"] < metrics["baseline_mae"]
