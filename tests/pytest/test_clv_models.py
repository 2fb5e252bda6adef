"""CLV helpers (issue 16), no dbt: BG/NBD and Gamma-Gamma against the published CDNOW fit,
lifetimes (an independent implementation), numerical integration and planted truth."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from harness import PROJECT_DIR
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value
from lifetimes.utils import _customer_lifetime_value
from scipy import integrate
from scipy.special import betaln

from crm_mining.clv import bgnbd, gamma_gamma, summary
from crm_mining.clv.bgnbd import BgNbdParams, fit_bgnbd
from crm_mining.clv.evaluation import (
    CHURN_BASELINE_DTYPES,
    METRICS_DTYPES,
)
from crm_mining.clv.gamma_gamma import GammaGammaParams, fit_gamma_gamma
from crm_mining.clv.scoring import (
    SCORE_COLUMNS,
    ClvSettings,
    clv_tiers,
    discount_steps,
    discounted_purchases,
)
from crm_mining.config import ConfigError
from crm_mining.datagen.bgnbd import PlantedParams, generate_bgnbd, main, simulate_summary


def significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The shipped CDNOW calibration summary (2,357 customers, weeks)."""
    return load_cdnow_summary(index_col=[0])


def arrays(frame: pd.DataFrame, scale: float = 1.0) -> tuple[np.ndarray, ...]:
    return (
        frame["frequency"].to_numpy(float),
        frame["recency"].to_numpy(float) * scale,
        frame["T"].to_numpy(float) * scale,
    )


@pytest.fixture(scope="module")
def cdnow_fit(cdnow: pd.DataFrame) -> bgnbd.BgNbdFit:
    return fit_bgnbd(*arrays(cdnow))


def lifetimes_model(params: BgNbdParams) -> BetaGeoFitter:
    """lifetimes' BetaGeoFitter carrying the given parameters (no fit)."""
    model = BetaGeoFitter()
    model.params_ = pd.Series({"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b})
    model.predict = model.conditional_expected_number_of_purchases_up_to_time
    return model


def test_cdnow_fit_equals_the_published_parameters(cdnow_fit: bgnbd.BgNbdFit) -> None:
    """Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4."""
    params = cdnow_fit.params
    assert cdnow_fit.is_converged and params is not None
    assert [significant(v) for v in (params.r, params.alpha, params.a, params.b)] == [
        0.243, 4.41, 0.793, 2.43,
    ]  # fmt: skip
    assert round(params.alpha, 3) == 4.414
    assert round(params.b, 3) == 2.426
    assert cdnow_fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert (cdnow_fit.customers, cdnow_fit.repeat_customers) == (2357, 946)


def test_cdnow_fit_equals_lifetimes(cdnow: pd.DataFrame, cdnow_fit: bgnbd.BgNbdFit) -> None:
    reference = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    ours = cdnow_fit.params
    assert ours is not None
    for name in ("r", "alpha", "a", "b"):
        assert getattr(ours, name) == pytest.approx(reference.params_[name], rel=1e-5)
    x, t_x, age = arrays(cdnow)
    # Predictions of our fit and of lifetimes' own fit agree within 1e-6.
    np.testing.assert_allclose(
        bgnbd.probability_alive(ours, x, t_x, age),
        reference.conditional_probability_alive(x, t_x, age),
        atol=1e-6,
    )
    for t in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            bgnbd.expected_purchases(ours, t, x, t_x, age),
            reference.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age),
            atol=1e-6,
        )


def test_formulas_equal_lifetimes_with_the_same_parameters(cdnow: pd.DataFrame) -> None:
    params = BgNbdParams(0.4, 6.0, 0.9, 3.0)
    model = lifetimes_model(params)
    x, t_x, age = arrays(cdnow)
    np.testing.assert_allclose(
        bgnbd.probability_alive(params, x, t_x, age),
        model.conditional_probability_alive(x, t_x, age),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        bgnbd.expected_purchases(params, 26.0, x, t_x, age),
        model.conditional_expected_number_of_purchases_up_to_time(26.0, x, t_x, age),
        rtol=1e-10,
    )
    lifetimes_nll = BetaGeoFitter._negative_log_likelihood(
        np.log(params.as_array()), x.astype(int), t_x, age, np.ones(len(x)), 0.0
    )
    assert bgnbd.log_likelihood(params, x, t_x, age).sum() == pytest.approx(
        -lifetimes_nll * len(x), rel=1e-12
    )


def test_the_time_unit_only_scales_alpha(cdnow: pd.DataFrame, cdnow_fit: bgnbd.BgNbdFit) -> None:
    """The same summary in days (weeks x 7): r, a, b unchanged, alpha x 7, same P(alive)."""
    in_days = fit_bgnbd(*arrays(cdnow, 7.0))
    weeks, days = cdnow_fit.params, in_days.params
    assert weeks is not None and days is not None
    assert days.r == pytest.approx(weeks.r, rel=1e-6)
    assert days.a == pytest.approx(weeks.a, rel=1e-6)
    assert days.b == pytest.approx(weeks.b, rel=1e-6)
    assert days.alpha / 7.0 == pytest.approx(weeks.alpha, rel=1e-6)
    np.testing.assert_allclose(
        bgnbd.probability_alive(days, *arrays(cdnow, 7.0)),
        bgnbd.probability_alive(weeks, *arrays(cdnow)),
        atol=1e-7,
    )


def test_fit_does_not_depend_on_row_order(cdnow: pd.DataFrame) -> None:
    shuffled = cdnow.sample(frac=1.0, random_state=3)
    a = fit_bgnbd(*arrays(cdnow))
    b = fit_bgnbd(*arrays(shuffled))
    assert a.params == b.params and a.log_likelihood == b.log_likelihood


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("column", ["x", "t_x", "T"])
def test_summaries_with_nan_or_inf_are_refused(column: str, bad: float) -> None:
    """NaN compares false and inf passes the range checks; neither is a customer summary."""
    columns = {"x": [0.0, 2.0, 1.0], "t_x": [0.0, 5.0, 3.0], "T": [4.0, 9.0, 3.0]}
    summary.check_summary(columns["x"], columns["t_x"], columns["T"])  # valid as it is
    columns[column][1] = bad
    with pytest.raises(ValueError, match=rf"^{column} must be finite"):
        summary.check_summary(columns["x"], columns["t_x"], columns["T"])


def test_gradient_equals_finite_differences(cdnow: pd.DataFrame) -> None:
    patterns = bgnbd.patterns(*arrays(cdnow))
    point = np.log([0.3, 5.0, 0.9, 2.0])
    n = float(len(cdnow))
    _, gradient = bgnbd._negative_mean_log_likelihood(point, patterns, n)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6
        up = bgnbd._negative_mean_log_likelihood(point + step, patterns, n)[0]
        down = bgnbd._negative_mean_log_likelihood(point - step, patterns, n)[0]
        assert gradient[i] == pytest.approx((up - down) / 2e-6, rel=1e-5, abs=1e-9)
    value, _ = bgnbd._negative_mean_log_likelihood(point, patterns, n)
    params = BgNbdParams(*np.exp(point))
    assert value == pytest.approx(-bgnbd.log_likelihood(params, *arrays(cdnow)).mean(), rel=1e-12)


def integrated_expected_purchases(
    params: BgNbdParams, x: float, t_x: float, age: float, t: float
) -> float:
    """E[Y(t) | x, t_x, T] = P(alive) * E[(1 - exp(-lambda p t)) / p] over the posterior of an
    alive customer, lambda ~ Gamma(s = r + x, beta = alpha + T), p ~ Beta(a, b + x). The mean
    over lambda is 1 - (beta / (beta + p t))^s; the one over p is integrated numerically
    (QUADPACK with the Beta density's algebraic end-point weights)."""
    shape, beta = params.r + x, params.alpha + age
    b_x = params.b + x

    def over_lambda(p: float) -> float:
        if p == 0.0:
            return shape * t / beta  # the limit at p -> 0
        return -math.expm1(shape * math.log(beta / (beta + p * t))) / p

    value, _ = integrate.quad(
        over_lambda, 0.0, 1.0, weight="alg", wvar=(params.a - 1.0, b_x - 1.0), epsabs=1e-13
    )
    value /= math.exp(betaln(params.a, b_x))
    alive = bgnbd.probability_alive(params, np.array([x]), np.array([t_x]), np.array([age]))
    return float(alive[0]) * value


@pytest.mark.parametrize(
    ("params", "x", "t_x", "age"),
    [
        # a + b < 1: 2F1(r, b; a + b - 1; z) is negative for x = 0 (lifetimes returns NaN here).
        (BgNbdParams(0.64, 20.4, 0.07, 0.46), 0.0, 0.0, 115.0),
        (BgNbdParams(0.64, 20.4, 0.07, 0.46), 3.0, 100.0, 200.0),
        (BgNbdParams(0.75, 40.0, 0.8, 2.5), 12.0, 500.0, 700.0),
    ],
)
def test_expected_purchases_equal_numerical_integration(
    params: BgNbdParams, x: float, t_x: float, age: float
) -> None:
    got = bgnbd.expected_purchases(params, 365.0, np.array([x]), np.array([t_x]), np.array([age]))
    assert got[0] == pytest.approx(
        integrated_expected_purchases(params, x, t_x, age, 365.0), rel=1e-6
    )


def test_median_days_to_next_purchase_solves_its_equation() -> None:
    params = BgNbdParams(0.75, 40.0, 0.8, 2.5)
    x = np.array([0.0, 5.0, 5.0, 20.0, 1.0])
    t_x = np.array([0.0, 300.0, 60.0, 650.0, 5.0])
    age = np.array([10.0, 310.0, 700.0, 660.0, 700.0])
    days = bgnbd.days_to_next_purchase(params, x, t_x, age, horizon=365.0)
    alive = bgnbd.probability_alive(params, x, t_x, age)
    for i in range(len(x)):

        def chance(s: float, i: int = i) -> float:
            base = (params.alpha + age[i]) / (params.alpha + age[i] + s)
            return alive[i] * (1.0 - base ** (params.r + x[i]))

        if np.isnan(days[i]):
            # More likely than not no purchase within the horizon.
            assert chance(365.0) <= 0.5 + 1e-12
        else:
            assert 0.0 <= days[i] <= 365.0
            assert chance(days[i]) == pytest.approx(0.5, abs=1e-12)
    assert not np.isnan(days[3]) and np.isnan(days[2]) and np.isnan(days[4])


def test_gamma_gamma_equals_lifetimes_and_the_published_fit() -> None:
    """Fader, Hardie & Lee (2005b) on CDNOW: p 6.25, q 3.74, v 15.44."""
    data = load_cdnow_summary_data_with_monetary_value()
    x, m_x = data["frequency"].to_numpy(float), data["monetary_value"].to_numpy(float)
    fit = fit_gamma_gamma(x, m_x)
    assert fit.is_converged and fit.params is not None and fit.customers == 946
    assert [round(v, 2) for v in (fit.params.p, fit.params.q)] == [6.25, 3.74]
    assert fit.params.v == pytest.approx(15.44, abs=0.01)
    repeat = data[data["frequency"] > 0]
    reference = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    for name in ("p", "q", "v"):
        assert getattr(fit.params, name) == pytest.approx(reference.params_[name], rel=1e-5)
    np.testing.assert_allclose(
        gamma_gamma.expected_order_value(fit.params, x, m_x),
        reference.conditional_expected_average_profit(data["frequency"], data["monetary_value"]),
        atol=1e-6,
    )
    assert fit.frequency_spend_correlation == pytest.approx(
        np.corrcoef(repeat["frequency"], repeat["monetary_value"])[0, 1], abs=1e-12
    )


def test_a_missing_spend_gives_the_population_mean_whatever_x() -> None:
    params = GammaGammaParams(p=6.0, q=4.0, v=15.0)
    x = np.array([0.0, 3.0, 3.0, 3.0])
    m_x = np.array([np.nan, np.nan, 20.0, -5.0])
    value = gamma_gamma.expected_order_value(params, x, m_x)
    population = params.p * params.v / (params.q - 1.0)
    assert value[0] == population and value[1] == population
    assert value[2] == params.p * (params.v + 3.0 * 20.0) / (params.p * 3.0 + params.q - 1.0)
    assert value[3] == params.p * params.v / (params.p * 3.0 + params.q - 1.0)  # m_x as 0


def test_clv_equals_lifetimes_customer_lifetime_value(cdnow: pd.DataFrame) -> None:
    """Horizon 360 days: 12 steps of 30 days, lifetimes' monthly rate (1 + d)^(30/365) - 1."""
    x, t_x, age = arrays(cdnow, 7.0)
    params = BgNbdParams(0.243, 4.414 * 7, 0.793, 2.426)
    value = np.linspace(5.0, 60.0, len(x))
    _, discounted = discounted_purchases(params, x, t_x, age, 360, 0.1)
    days = pd.DataFrame({"frequency": x, "recency": t_x, "T": age})
    reference = _customer_lifetime_value(
        lifetimes_model(params), days["frequency"], days["recency"], days["T"],
        pd.Series(value), time=12, discount_rate=1.1 ** (30 / 365) - 1.0, freq="D",
    )  # fmt: skip
    np.testing.assert_allclose(value * discounted, reference.to_numpy(), rtol=1e-9, atol=1e-9)


def test_discount_steps_end_on_the_horizon() -> None:
    assert discount_steps(365).tolist() == [30.0 * k for k in range(1, 13)] + [365.0]
    assert discount_steps(360).tolist() == [30.0 * k for k in range(1, 13)]
    assert discount_steps(30).tolist() == [30.0]
    assert discount_steps(1).tolist() == [1.0]


def test_clv_tiers_by_percent_rank_with_ties() -> None:
    values = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, np.nan])
    assert clv_tiers(values).tolist() == [
        "low", "low", "low", "low", "low", "medium", "medium", "medium", "high", "high", None,
    ]  # fmt: skip
    assert clv_tiers(np.array([4.0])).tolist() == ["low"]
    assert clv_tiers(np.array([3.0, 3.0, 3.0])).tolist() == ["low"] * 3
    assert clv_tiers(np.array([np.nan])).tolist() == [None]


def test_settings_come_from_the_vars() -> None:
    config = {"clv_horizon_days": "365", "clv_discount_rate": "0.1", "clv_min_repeat_customers": 10}
    assert ClvSettings.from_config(config) == ClvSettings(365, 0.1, 10)
    with pytest.raises(ConfigError, match="clv_discount_rate' did not reach"):
        ClvSettings.from_config({"clv_horizon_days": 1, "clv_min_repeat_customers": 1})
    with pytest.raises(ConfigError, match="clv_horizon_days' must be a positive"):
        ClvSettings.from_config({**config, "clv_horizon_days": "0"})


@pytest.mark.parametrize(
    ("arguments", "var"),
    [
        ((0, 0.1, 10), "clv_horizon_days"),
        ((365, -1.0, 10), "clv_discount_rate"),
        ((365, math.nan, 10), "clv_discount_rate"),
        ((365, 0.1, 0), "clv_min_repeat_customers"),
    ],
)
def test_settings_are_checked_however_they_are_made(
    arguments: tuple[int, float, int], var: str
) -> None:
    """Python callers constructing ClvSettings get the checks of the dbt vars."""
    with pytest.raises(ConfigError, match=f"var '{var}' must be"):
        ClvSettings(*arguments)


def test_settings_defaults_are_the_dbt_project_vars() -> None:
    """The dataclass defaults (used by Python callers) mirror dbt_project.yml, the only place
    of the defaults for dbt runs."""
    variables = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    defaults = ClvSettings()
    assert defaults.horizon_days == variables["clv_horizon_days"]
    assert defaults.discount_rate == variables["clv_discount_rate"]
    assert defaults.min_repeat_customers == variables["clv_min_repeat_customers"]


def test_planted_truth_is_recovered_on_50000_customers() -> None:
    """50,000 customers of ages 1-2 years drawn from a BG/NBD with known parameters: each
    parameter within 10 %, and the purchases of the next 365 days within 5 %."""
    truth = PlantedParams(r=0.75, alpha=40.0, a=0.8, b=2.5)
    rng = np.random.default_rng(2024)
    ages = rng.integers(365, 730, 50_000).astype(float)
    planted = simulate_summary(50_000, truth, ages, horizon=365.0, seed=7)
    fit = fit_bgnbd(planted.x, planted.t_x, planted.age)
    assert fit.is_converged and fit.params is not None
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit.params, name) == pytest.approx(getattr(truth, name), rel=0.10), name
    predicted = bgnbd.expected_purchases(fit.params, 365.0, planted.x, planted.t_x, planted.age)
    assert predicted.sum() == pytest.approx(planted.holdout_purchases.sum(), rel=0.05)
    # P(alive) is calibrated: the customers predicted alive are alive at that rate.
    alive = bgnbd.probability_alive(fit.params, planted.x, planted.t_x, planted.age)
    assert alive.mean() == pytest.approx(planted.is_alive.mean(), abs=0.02)


def test_planted_spend_is_recovered() -> None:
    """Gamma-Gamma on 20,000 repeat customers with known p, q, v: within 10 %."""
    truth = GammaGammaParams(p=6.0, q=4.0, v=15.0)
    rng = np.random.default_rng(9)
    x = rng.integers(1, 12, 20_000).astype(float)
    scale = rng.gamma(truth.q, 1.0 / truth.v, len(x))
    m_x = rng.gamma(truth.p * x, 1.0 / scale) / x  # the mean of x Gamma(p, nu) purchases
    fit = fit_gamma_gamma(x, m_x)
    assert fit.params is not None
    for name in ("p", "q", "v"):
        assert getattr(fit.params, name) == pytest.approx(getattr(truth, name), rel=0.10), name
    assert fit.frequency_spend_correlation is not None
    assert abs(fit.frequency_spend_correlation) < 0.05


def test_bgnbd_generator_writes_its_planted_truth(tmp_path: Path) -> None:
    """The files of `python -m crm_mining.datagen.bgnbd` (normalized layout) are byte-identical
    for a seed, and the summary a pandas reader makes of them gives back the planted r, alpha,
    a, b and p, q, v within 10 % on 20,000 customers."""
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["--customers", "20000", "--seed", "5", "--out", str(first)]) == 0
    generate_bgnbd(second, 20_000, seed=5)
    for name in ("orders.csv", "order_items.csv", "truth/bgnbd_truth.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    truth = json.loads((first / "truth" / "bgnbd_truth.json").read_text())
    orders = pd.read_csv(first / "orders.csv", parse_dates=["order_date"])
    items = pd.read_csv(first / "order_items.csv")
    assert len(items) == len(orders) and (items["unit_price"] >= 0.01).all()
    assert orders["customer_id"].nunique() == truth["customers"] == 20_000
    as_of = pd.Timestamp(truth["as_of_date"])
    assert orders["order_date"].max() < as_of
    lines = orders.merge(items, on="order_id")
    days = lines.groupby(["customer_id", "order_date"], as_index=False)["unit_price"].sum()
    per_customer = days.groupby("customer_id")
    first_day, last_day = per_customer["order_date"].min(), per_customer["order_date"].max()
    x = (per_customer.size() - 1).to_numpy(float)
    t_x = (last_day - first_day).dt.days.to_numpy(float)
    age = ((as_of - pd.Timedelta(days=1)) - first_day).dt.days.to_numpy(float)
    fit = fit_bgnbd(x, t_x, age)
    planted = truth["params"]
    assert fit.params is not None
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit.params, name) == pytest.approx(planted[name], rel=0.10), name
    repeat_value = (
        days[days["order_date"] > days["customer_id"].map(first_day)]
        .groupby("customer_id")["unit_price"]
        .mean()
    )
    spend = fit_gamma_gamma(x, repeat_value.reindex(first_day.index).to_numpy(float))
    assert spend.params is not None
    for name in ("p", "q", "v"):
        assert getattr(spend.params, name) == pytest.approx(planted[name], rel=0.10), name


@pytest.mark.parametrize(
    ("macro", "columns"),
    [
        ("int_clv_model_fitted", METRICS_DTYPES),
        ("int_clv_churn_baseline_evaluated", CHURN_BASELINE_DTYPES),
        ("int_clv_customers_scored", dict.fromkeys(SCORE_COLUMNS, "")),
    ],
)
def test_python_outputs_are_declared_once_in_their_macro(macro: str, columns: dict) -> None:
    """macros/python_outputs/<model>_columns.sql lists the columns the Python model writes, in
    its order, with a SQL type matching the pandas dtype."""
    text = (PROJECT_DIR / "macros" / "python_outputs" / f"{macro}_columns.sql").read_text()
    declared = dict(re.findall(r"'(\w+)': ([\w.]+)\(\)", text))
    assert list(declared) == list(columns)
    sql_type = {
        "Int64": "dbt.type_int", "boolean": "dbt.type_boolean", "string": "dbt.type_string",
        "Float64": "crm_type_double",
    }  # fmt: skip
    for name, dtype in columns.items():
        if dtype:
            assert declared[name] == sql_type[dtype], name
