"""Churn (issue 7), pure helpers of crm_mining.churn on small frames: fallbacks on degenerate
data (all churned, none, too few, a single customer, no customer), model choice, calibration,
risk bands, drivers and determinism. The dbt builds are in test_churn_build.py."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from crm_mining import churn
from crm_mining.churn import ChurnSettings, whatif
from crm_mining.churn import explain as explain_module
from crm_mining.churn import model as model_module
from crm_mining.churn.training import standard_errors_above_chance
from crm_mining.config import ConfigError

SETTINGS = ChurnSettings(random_seed=7)


def synthetic_training(n: int, seed: int = 0, signal: float = 1.0) -> pd.DataFrame:
    """A labelled training frame: churn depends on recency relative to the usual gap.

    Customers buy every `gap` days; the probability of churn rises with recency / gap (the
    planted signal), everything else is noise. signal=0 gives labels independent of features.
    """
    rng = np.random.default_rng(seed)
    gap = rng.gamma(3.0, 10.0, n) + 1
    frequency = rng.integers(1, 30, n)
    recency = rng.gamma(2.0, 1.0, n) * gap
    logit = signal * 2.5 * (recency / gap - 2.0)
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    reviews = rng.poisson(0.4, n)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in range(n)],
            "recency_days": np.maximum(1, recency.round()),
            "frequency": frequency,
            "monetary": frequency * rng.gamma(2, 20, n),
            "avg_order_value": rng.gamma(2, 20, n),
            "tenure_days": frequency * gap + recency,
            "purchases_per_30d": 30 / gap,
            "count_purchases_30d": rng.poisson(30 / gap),
            "count_purchases_90d": rng.poisson(90 / gap),
            "count_purchases_180d": rng.poisson(180 / gap),
            "spend_30d": rng.gamma(1, 10, n),
            "spend_90d": rng.gamma(1, 30, n),
            "spend_180d": rng.gamma(1, 60, n),
            "avg_gap_days": np.where(frequency > 1, gap, np.nan),
            "stddev_gap_days": np.where(frequency > 2, gap / 3, np.nan),
            "max_gap_days": np.where(frequency > 1, 2 * gap, np.nan),
            "recency_gap_ratio": np.where(frequency > 1, recency / gap, np.nan),
            "share_units_returned": rng.beta(1, 20, n),
            "count_reviews": reviews,
            "avg_review_compound": np.where(reviews > 0, rng.uniform(-1, 1, n), np.nan),
            "share_negative_reviews": np.where(reviews > 0, rng.random(n), np.nan),
            "avg_review_rating": np.where(reviews > 0, rng.uniform(1, 5, n), np.nan),
            "is_churned": churned,
        }
    )
    return frame


def constant_training(n: int, churned: int) -> pd.DataFrame:
    """n customers, the first `churned` of them churned."""
    frame = synthetic_training(max(n, 1)).head(n).copy()
    frame["is_churned"] = np.arange(n) < churned
    return frame


# ---------------------------------------------------------------- fallbacks


@pytest.mark.parametrize(
    ("n", "churned", "expected_score", "reason_start"),
    [
        (0, 0, 0.5, "no customer has a purchase before the training cutoff"),
        (1, 0, 0.0, "none of the 1 training customers churned"),
        (1, 1, 1.0, "all 1 training customers churned"),
        (40, 40, 1.0, "all 40 training customers churned"),
        (40, 0, 0.0, "none of the 40 training customers churned"),
        (40, 9, 9 / 40, "too few customers to train: 9 churned and 31 retained"),
        (12, 3, 0.25, "too few customers to train: 3 churned and 9 retained"),
    ],
)
def test_degenerate_training_falls_back_to_the_base_rate(
    n: int, churned: int, expected_score: float, reason_start: str
) -> None:
    training = constant_training(n, churned)
    result = churn.train_churn_model(training, SETTINGS, scored_customers=5)
    metrics = result.metrics
    assert metrics["model_name"] == "base_rate"
    assert metrics["is_model_trained"] is False
    assert metrics["fallback_reason"].startswith(reason_start)
    assert metrics["base_rate"] == (None if n == 0 else churned / n)
    assert metrics["training_customers"] == n
    assert metrics["churned_training_customers"] == churned
    assert metrics["roc_auc"] is None and metrics["fit_customers"] is None
    assert result.importance.empty
    assert list(result.importance.columns) == list(churn.IMPORTANCE_COLUMNS)

    scoring = synthetic_training(5, seed=3).drop(columns="is_churned")
    scores = churn.score_customers(result.model, scoring, SETTINGS)
    assert scores["churn_probability"].tolist() == [expected_score] * 5
    assert scores["is_fallback_score"].all()
    assert (scores["model_name"] == "base_rate").all()
    assert scores["main_driver"].isna().all()
    assert all(
        text.startswith("no model trained: " + reason_start) for text in scores["churn_drivers"]
    )


def test_fallback_metrics_frame_keeps_nulls_and_dtypes() -> None:
    frame = churn.metrics_frame(churn.train_churn_model(constant_training(0, 0), SETTINGS))
    assert list(frame.columns) == list(churn.METRIC_COLUMNS)
    assert len(frame) == 1
    assert frame["base_rate"].isna().all() and frame["roc_auc"].isna().all()
    assert str(frame["base_rate"].dtype) == "Float64"
    assert str(frame["training_customers"].dtype) == "Int64"
    assert frame["is_model_trained"].dtype == bool


def test_minimum_class_size_is_the_var() -> None:
    training = constant_training(40, 9)
    assert churn.fallback_reason(training["is_churned"].to_numpy(), SETTINGS) is not None
    relaxed = ChurnSettings(random_seed=7, min_class_customers=9)
    assert churn.fallback_reason(training["is_churned"].to_numpy(), relaxed) is None


def test_labels_independent_of_features_fall_back_or_stay_near_chance() -> None:
    """Without any signal the model must not invent one: either no candidate beats chance
    (fallback) or the validation ROC AUC stays close to 0.5."""
    result = churn.train_churn_model(synthetic_training(200, seed=5, signal=0.0), SETTINGS)
    if result.metrics["is_model_trained"]:
        assert abs(result.metrics["roc_auc"] - 0.5) < 0.12
    else:
        assert "beats chance" in result.metrics["fallback_reason"]


def test_chance_standard_error_is_that_of_random_scores() -> None:
    """The standard error of a signal-free score's ROC AUC (100 churned, 200 retained) equals
    the spread of sklearn's AUC over 1,000 random scorings, to 5 %."""
    rng = np.random.default_rng(0)
    labels = np.arange(300) < 100
    spread = np.std([roc_auc_score(labels, rng.random(300)) for _ in range(1000)])
    assert standard_errors_above_chance(0.5 + spread, 100, 200) == pytest.approx(1.0, rel=0.05)


def test_a_weak_signal_the_validation_cannot_tell_from_chance_falls_back() -> None:
    """A planted signal too weak for the validation split: the validation ROC AUC is above 0.5
    but fewer than churn_min_auc_z standard errors above it, so every score is the base rate;
    with the var at 0, any AUC above 0.5 trains, as before the var."""
    result = churn.train_churn_model(synthetic_training(400, seed=3, signal=0.05), SETTINGS)
    metrics = result.metrics
    best = max(metrics["logistic_regression_roc_auc"], metrics["hist_gradient_boosting_roc_auc"])
    assert best > 0.5 and not metrics["is_model_trained"]
    assert "beats chance" in metrics["fallback_reason"]
    assert "1.645 needed, var churn_min_auc_z" in metrics["fallback_reason"]
    assert not result.model.is_trained
    assert result.model.constant_probability == pytest.approx(metrics["base_rate"])
    lenient = ChurnSettings(random_seed=7, min_auc_z=0.0)
    trained = churn.train_churn_model(synthetic_training(400, seed=3, signal=0.05), lenient)
    assert trained.model.is_trained and trained.metrics["roc_auc"] > 0.5


def test_tiny_but_trainable_data_trains_with_sigmoid_calibration() -> None:
    """10 customers per class is enough (the default minimum); below 1,000 customers the
    calibration is sigmoid; the validation split is stratified."""
    training = synthetic_training(60, seed=2)
    # 20 churned, 40 retained: the 20 longest since their last purchase, a signal the 15
    # validation customers can tell from chance (churn_min_auc_z)
    training["is_churned"] = training["recency_days"].rank(method="first") > 40
    result = churn.train_churn_model(training, SETTINGS)
    metrics = result.metrics
    assert metrics["is_model_trained"] is True
    assert metrics["calibration_method"] == "sigmoid"
    assert metrics["fit_customers"] + metrics["validation_customers"] == 60
    assert metrics["validation_customers"] == 15


# ---------------------------------------------------------------- trained model


@pytest.fixture(scope="module")
def trained() -> tuple[pd.DataFrame, churn.ChurnTrainingResult]:
    training = synthetic_training(2000, seed=1)
    return training, churn.train_churn_model(training, SETTINGS, scored_customers=2000)


def test_model_is_chosen_by_validation_auc_and_beats_recency(trained) -> None:
    training, result = trained
    metrics = result.metrics
    assert metrics["is_model_trained"] is True and metrics["fallback_reason"] is None
    assert metrics["calibration_method"] == "isotonic"
    candidates = {
        "logistic_regression": metrics["logistic_regression_roc_auc"],
        "hist_gradient_boosting": metrics["hist_gradient_boosting_roc_auc"],
    }
    assert metrics["model_name"] == max(candidates, key=lambda name: candidates[name])
    # the planted signal is recency relative to the usual gap: better than recency alone
    assert metrics["roc_auc"] > metrics["recency_baseline_roc_auc"] + 0.02
    assert metrics["roc_auc"] > 0.8
    assert 0 < metrics["brier_score"] < 0.25
    assert metrics["base_rate"] == pytest.approx(training["is_churned"].mean())
    assert metrics["training_customers"] == 2000 and metrics["scored_customers"] == 2000


def test_validation_metrics_are_recomputable(trained) -> None:
    """The reported metrics equal sklearn's on the validation split: the recency baseline on
    recency_days, the model's on its validation probabilities, which are those of the model
    validated on the fit part, not of its refit on every customer (which saw them)."""
    training, result = trained
    labels = training["is_churned"].to_numpy().astype(int)
    _, validation = churn.validation_split(labels, SETTINGS.validation_share, SETTINGS.random_seed)
    expected = roc_auc_score(labels[validation], training["recency_days"].to_numpy()[validation])
    assert result.metrics["recency_baseline_roc_auc"] == pytest.approx(expected)
    assert result.metrics["validation_customers"] == len(validation) == 500
    y_val, p_val = labels[validation], result.validation_predictions
    assert len(p_val) == 500
    assert result.metrics["roc_auc"] == pytest.approx(roc_auc_score(y_val, p_val), abs=1e-12)
    assert result.metrics["pr_auc"] == pytest.approx(average_precision_score(y_val, p_val))
    assert result.metrics["brier_score"] == pytest.approx(brier_score_loss(y_val, p_val))
    refit = result.model.predict(training.iloc[validation])
    assert np.abs(refit - p_val).max() > 1e-6, "the refit, which saw these customers, differs"


def test_scores_are_calibrated_on_fresh_customers(trained) -> None:
    """On new customers drawn from the same process, each decile's mean probability is
    within 5 points of its observed churn rate (20,000 customers: 2,000 per decile)."""
    _, result = trained
    fresh = synthetic_training(20_000, seed=99)
    probabilities = result.model.predict(fresh)
    table = churn.calibration_by_decile(fresh["is_churned"].to_numpy(), probabilities)
    assert table["gap"].abs().max() < 0.05, table


def test_importance_ranks_the_planted_signal_first(trained) -> None:
    _, result = trained
    importance = result.importance
    assert list(importance["feature_name"]) != []
    assert sorted(importance["feature_name"]) == sorted(churn.FEATURE_NAMES)
    assert importance["importance_rank"].tolist() == list(range(1, len(churn.FEATURES) + 1))
    assert importance["importance"].is_monotonic_decreasing
    top = importance.iloc[0]["feature_name"]
    assert top in {"recency_gap_ratio", "recency_days", "avg_gap_days", "purchases_per_30d"}


def test_training_is_deterministic_for_a_seed(trained) -> None:
    training, first = trained
    scoring = synthetic_training(200, seed=8)
    second = churn.train_churn_model(training, SETTINGS, scored_customers=2000)
    assert first.metrics == second.metrics
    np.testing.assert_array_equal(first.model.predict(scoring), second.model.predict(scoring))
    pd.testing.assert_frame_equal(first.importance, second.importance)


def test_result_survives_the_round_trip_through_bytes(trained) -> None:
    _, result = trained
    restored = churn.load_result(churn.dump_result(result))
    fresh = synthetic_training(50, seed=12)
    np.testing.assert_array_equal(restored.model.predict(fresh), result.model.predict(fresh))
    assert restored.metrics == result.metrics
    with pytest.raises(TypeError):
        churn.load_result(pickle.dumps({"not": "a result"}))


# ---------------------------------------------------------------- scores and drivers


def test_risk_bands_at_their_thresholds() -> None:
    settings = ChurnSettings(risk_high=0.7, risk_medium=0.4)
    p = np.array([0.0, 0.3999, 0.4, 0.6999, 0.7, 1.0])
    assert churn.risk_bands(p, settings).tolist() == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_driver_effects_are_what_if_typical(trained) -> None:
    """effect[i, j] = p(x_i) - p(x_i with feature j at its training median), recomputed."""
    training, result = trained
    model = result.model
    customers = synthetic_training(30, seed=21)
    effects = churn.driver_effects(model, customers)
    j = churn.FEATURE_NAMES.index("recency_gap_ratio")
    changed = customers.copy()
    changed["recency_gap_ratio"] = float(training["recency_gap_ratio"].median())
    expected = model.predict(customers) - model.predict(changed)
    np.testing.assert_allclose(effects[:, j], expected)
    assert model.reference["recency_gap_ratio"] == pytest.approx(
        training["recency_gap_ratio"].median()
    )


def test_drivers_text_names_the_largest_positive_effects(trained) -> None:
    _, result = trained
    customers = synthetic_training(200, seed=22)
    scores = churn.score_customers(result.model, customers, SETTINGS)
    ordered = customers.sort_values("customer_id")
    matrix = churn.feature_matrix(ordered)
    effects = churn.driver_effects(result.model, ordered)
    allowed = churn.on_risky_side(result.model, matrix)
    effects = np.where(allowed, effects, -np.inf)  # values on a feature's safe side never list
    for row, (main, text) in enumerate(
        zip(scores["main_driver"], scores["churn_drivers"], strict=True)
    ):
        best = int(np.argmax(effects[row]))
        if effects[row, best] >= churn.MIN_DRIVER_EFFECT:
            assert main == churn.FEATURE_NAMES[best]
            assert text.startswith(churn.FEATURES[best].label + " ")
            assert text.count(" pts") == min(3, int((effects[row] >= 0.005).sum()))
        else:
            assert pd.isna(main)
            assert text == "no feature raises the risk above a typical customer's"
    # a customer far beyond their usual gap is driven by recency
    late = scores.loc[customers.sort_values("customer_id")["recency_gap_ratio"].to_numpy() > 6]
    assert late["churn_probability"].min() > 0.7
    assert late["churn_drivers"].str.contains("days since last purchase").all()


def test_drivers_never_give_a_safe_side_value_as_a_reason(trained) -> None:
    """Features move together, so a model can weigh one with the "wrong" sign: on the sample,
    the logistic regression listed 'days since last purchase 21 (typical 128): +6 pts' and
    'spend in the last 90 days 1,209.98 (typical 0.00)' as reasons to churn. A value on the
    safe side of the typical one is never listed; a missing gap says why it is missing."""
    _, result = trained
    model = result.model
    names = churn.FEATURE_NAMES
    recency, spend, ratio = (
        names.index(n) for n in ("recency_days", "spend_90d", "recency_gap_ratio")
    )
    assert all(model.reference.get(names[j]) is not None for j in (recency, spend, ratio))
    typical = np.array([model.reference.get(name, 0.0) for name in names], dtype=float)
    matrix = np.tile(typical, (2, 1))
    effects = np.zeros_like(matrix)
    # a recent buyer (low recency, high recent spend): both effects positive, as the artefact
    matrix[0, recency] -= 10
    matrix[0, spend] += 100
    effects[0, recency], effects[0, spend] = 0.2, 0.1
    # a one-day buyer long gone: no gap ratio, high recency
    matrix[1, ratio] = np.nan
    matrix[1, recency] += 50
    effects[1, ratio], effects[1, recency] = 0.3, 0.1
    main, texts = churn.describe_drivers(model, matrix, effects)
    assert pd.isna(main[0])
    assert texts[0] == "no feature raises the risk above a typical customer's"
    assert main[1] == "recency_gap_ratio"
    assert texts[1].startswith(
        "days since last purchase / usual gap n/a (one purchase day only) (typical "
    )
    assert "; days since last purchase " in texts[1] and texts[1].count(" pts") == 2


def test_scores_frame_is_sorted_and_typed(trained) -> None:
    _, result = trained
    customers = synthetic_training(40, seed=23).sample(frac=1, random_state=3)
    scores = churn.score_customers(result.model, customers, SETTINGS)
    assert list(scores.columns) == list(churn.SCORE_COLUMNS)
    assert scores["customer_id"].tolist() == sorted(customers["customer_id"])
    assert scores["churn_probability"].between(0, 1).all()
    assert str(scores["customer_id"].dtype) == "string"
    assert not scores["is_fallback_score"].any()
    empty = churn.score_customers(result.model, customers.head(0), SETTINGS)
    assert empty.empty and list(empty.columns) == list(churn.SCORE_COLUMNS)


# ---------------------------------------------------------------- small pieces


def test_validation_split_is_stratified_disjoint_and_seeded() -> None:
    labels = np.array([1] * 30 + [0] * 70)
    fit, validation = churn.validation_split(labels, 0.25, 42)
    assert len(validation) == 25 and len(fit) == 75
    assert set(fit).isdisjoint(validation) and set(fit) | set(validation) == set(range(100))
    assert labels[validation].sum() in (7, 8)
    again = churn.validation_split(labels, 0.25, 42)
    assert (again[1] == validation).all()
    assert not (churn.validation_split(labels, 0.25, 43)[1] == validation).all()


def test_calibration_by_decile_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(1000)
    y = (rng.random(1000) < p).astype(int)
    table = churn.calibration_by_decile(y, p)
    order = np.argsort(p, kind="mergesort")
    for decile in range(10):
        members = order[decile * 100 : (decile + 1) * 100]
        row = table.iloc[decile]
        assert row["customers"] == 100
        assert row["predicted_rate"] == pytest.approx(p[members].mean())
        assert row["observed_rate"] == pytest.approx(y[members].mean())


def test_labelled_training_frame_requires_a_label_for_every_customer() -> None:
    features = synthetic_training(3).drop(columns="is_churned")
    features["snapshot_name"] = ["training", "training", "scoring"]
    labels = pd.DataFrame({"customer_id": ["c00000", "c00001"], "is_churned": [True, False]})
    training = churn.labelled_training_frame(features, labels)
    assert training["customer_id"].tolist() == ["c00000", "c00001"]
    assert training["is_churned"].tolist() == [True, False]
    with pytest.raises(ValueError, match="without a label"):
        churn.labelled_training_frame(features, labels.head(1))


def test_settings_reject_impossible_values() -> None:
    with pytest.raises(ValueError, match="churn_validation_share"):
        ChurnSettings(validation_share=1.0)
    with pytest.raises(ValueError, match="churn_min_class_customers"):
        ChurnSettings(min_class_customers=1)
    with pytest.raises(ValueError, match="thresholds"):
        ChurnSettings(risk_high=0.3, risk_medium=0.5)
    with pytest.raises(ValueError, match="churn_min_auc_z"):
        ChurnSettings(min_auc_z=-1.0)
    parsed = ChurnSettings.from_config(
        {
            "random_seed": "5",
            "churn_validation_share": "0.3",
            "churn_min_class_customers": "4",
            "churn_risk_high": "0.8",
            "churn_risk_medium": "0.2",
            "churn_min_auc_z": "2.5",
        }
    )
    assert parsed == ChurnSettings(0.3, 5, 4, 0.8, 0.2, min_auc_z=2.5)


def test_values_print_readably() -> None:
    assert churn._format_value(math.nan, "int") == "n/a"
    assert churn._format_value(1234.0, "int") == "1,234"
    assert churn._format_value(12.5, "money") == "12.50"
    assert churn._format_value(0.125, "share") == "12%"


def test_validation_deciles_are_kept_for_the_calibration_mart(trained) -> None:
    """fct_churn_calibration's rows: ten deciles of the 500 validation customers, recomputed
    here from the validation split and the model fitted on the fit part."""
    training, result = trained
    table = result.calibration
    assert list(table.columns) == [
        "decile", "customer_count", "predicted_churn_rate", "observed_churn_rate",
        "calibration_gap",
    ]  # fmt: skip
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["customer_count"].sum() == result.metrics["validation_customers"] == 500
    labels = training["is_churned"].to_numpy().astype(int)
    _, validation = churn.validation_split(labels, SETTINGS.validation_share, SETTINGS.random_seed)
    assert table["observed_churn_rate"].mean() == pytest.approx(labels[validation].mean())
    # deciles of the validation probabilities by rank (ties: position), in pandas
    frame = pd.DataFrame({"p": result.validation_predictions, "y": labels[validation]})
    rank = frame["p"].rank(method="first").astype(int) - 1
    frame["decile"] = rank * 10 // len(frame) + 1
    expected = frame.groupby("decile").agg(n=("y", "size"), p=("p", "mean"), y=("y", "mean"))
    assert table["customer_count"].tolist() == expected["n"].tolist()
    np.testing.assert_allclose(table["predicted_churn_rate"], expected["p"], atol=1e-12)
    np.testing.assert_allclose(table["observed_churn_rate"], expected["y"], atol=1e-12)
    gaps = table["predicted_churn_rate"] - table["observed_churn_rate"]
    assert (table["calibration_gap"] - gaps).abs().max() < 1e-12
    assert table["calibration_gap"].abs().max() == result.metrics["max_decile_calibration_gap"]
    fallback = churn.train_churn_model(constant_training(50, 0), SETTINGS, scored_customers=5)
    assert fallback.calibration.empty and list(fallback.calibration.columns) == list(table.columns)


# ---------------------------------------------------------------- features without information


REVIEW_FEATURES = (
    "count_reviews",
    "avg_review_compound",
    "share_negative_reviews",
    "avg_review_rating",
)


def without_reviews(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as an orders-only input gives it: no review, so review averages are null."""
    frame = frame.copy()
    frame["count_reviews"] = 0
    for name in REVIEW_FEATURES[1:]:
        frame[name] = np.nan
    return frame


def test_screen_leaves_out_all_null_and_constant_columns() -> None:
    training = without_reviews(synthetic_training(50, seed=4))
    training["share_units_returned"] = np.where(np.arange(50) == 7, 0.5, np.nan)
    screen = churn.screen_features(churn.feature_matrix(training))
    assert set(screen.left_out) == set(REVIEW_FEATURES)
    assert screen.left_out["count_reviews"] == "the same value, 0, for every customer"
    assert screen.left_out["avg_review_rating"] == "no observed value in the fit data"
    # one value, null elsewhere: whether it is known carries information
    assert "share_units_returned" in screen.used_names
    assert len(screen.used) == len(churn.FEATURES) - 4
    assert screen.describe_left_out().startswith(
        "count_reviews (the same value, 0, for every customer); avg_review_compound (no obs"
    )
    everything = churn.screen_features(churn.feature_matrix(synthetic_training(50, seed=4)))
    assert everything.left_out == {} and everything.describe_left_out() == ""


def test_orders_only_features_train_a_model_on_the_rest() -> None:
    """Issue 12: without reviews the review features are null for everyone; the model is
    trained on the other 17 and says so; nothing names the left-out features."""
    training = without_reviews(synthetic_training(2000, seed=1))
    result = churn.train_churn_model(training, SETTINGS, scored_customers=300)
    metrics = result.metrics
    assert metrics["is_model_trained"] is True and metrics["model_name"] != "base_rate"
    assert metrics["count_features_used"] == len(churn.FEATURES) - 4
    for name in REVIEW_FEATURES:
        assert name in metrics["features_left_out"]
    assert metrics["roc_auc"] > 0.8
    assert sorted(result.importance["feature_name"]) == sorted(
        set(churn.FEATURE_NAMES) - set(REVIEW_FEATURES)
    )
    assert result.importance["importance_rank"].tolist() == list(range(1, 18))
    scoring = without_reviews(synthetic_training(300, seed=5)).drop(columns="is_churned")
    scores = churn.score_customers(result.model, scoring, SETTINGS)
    assert not scores["is_fallback_score"].any() and scores["churn_probability"].nunique() > 20
    assert not scores["churn_drivers"].str.contains("review").any()
    assert not scores["main_driver"].isin(REVIEW_FEATURES).any()
    effects = churn.driver_effects(result.model, scoring)
    left_out = [churn.FEATURE_NAMES.index(name) for name in REVIEW_FEATURES]
    assert (effects[:, left_out] == 0).all()
    # the metrics frame carries the new columns with their types
    frame = churn.metrics_frame(result)
    assert frame["count_features_used"].tolist() == [17]
    assert str(frame["features_left_out"].dtype) == "string"


def test_no_informative_feature_falls_back_with_the_reason() -> None:
    training = synthetic_training(200, seed=6)
    for name in churn.FEATURE_NAMES:
        training[name] = 1.0 if name == "recency_days" else np.nan
    result = churn.train_churn_model(training, SETTINGS)
    reason = result.metrics["fallback_reason"]
    assert result.metrics["model_name"] == "base_rate"
    assert reason.startswith("no feature carries information in the fit data: recency_days (the")
    assert result.metrics["count_features_used"] == 0
    assert result.importance.empty


def test_a_feature_missing_from_a_calibration_fold_does_not_crash() -> None:
    """A feature observed for one customer is kept (known vs unknown), but most calibration
    folds see it null everywhere: gradient boosting must still fit and predict."""
    training = synthetic_training(400, seed=9)
    matrix = churn.feature_matrix(training)
    matrix[:, churn.FEATURE_NAMES.index("avg_review_rating")] = np.where(
        np.arange(400) == 3, 4.0, np.nan
    )
    labels = training["is_churned"].to_numpy().astype(int)
    boosting = churn.candidate_models(7)[churn.GRADIENT_BOOSTING]
    with model_module.single_threaded():
        members = model_module.fit_members(boosting, matrix, labels, "sigmoid", 7)
    assert len(members) == churn.CALIBRATION_FOLDS
    model = churn.ChurnModel(
        "hist_gradient_boosting", members, 0.5, None, "sigmoid", used=tuple(range(21))
    )
    probabilities = model.predict_matrix(matrix)
    assert np.isfinite(probabilities).all() and len(probabilities) == 400


# ---------------------------------------------------------------- what-if engine and calibration


@pytest.fixture(scope="module")
def boosting_model() -> tuple[pd.DataFrame, churn.ChurnModel]:
    """A gradient boosting ChurnModel on every feature (nulls included), isotonic calibration."""
    training = synthetic_training(3000, seed=13)
    matrix = churn.feature_matrix(training)
    labels = training["is_churned"].to_numpy().astype(int)
    with model_module.single_threaded():
        estimator = churn.candidate_models(7)[churn.GRADIENT_BOOSTING].fit(matrix, labels)
        decision = estimator.decision_function(matrix)
    calibrator = churn.Calibrator.fit(decision, labels, "isotonic")
    model = churn.ChurnModel(
        model_name=churn.GRADIENT_BOOSTING,
        members=(churn.Member(estimator, calibrator),),
        constant_probability=float(labels.mean()),
        fallback_reason=None,
        calibration_method="isotonic",
        reference=churn.reference_values(matrix),
        used=tuple(range(len(churn.FEATURES))),
    )
    return training, model


def test_tabulated_trees_equal_the_estimator(boosting_model) -> None:
    """TreeWhatIf: the decision values are sklearn's bit for bit; with a feature replaced by a
    constant or by other rows' values they equal sklearn on the changed matrix."""
    _, model = boosting_model
    customers = synthetic_training(500, seed=14)
    matrix = churn.feature_matrix(customers)
    member = model.members[0]
    engine = member.what_if(matrix)
    assert isinstance(engine, whatif.TreeWhatIf)

    def estimator_decision(rows: np.ndarray) -> np.ndarray:
        with model_module.single_threaded():
            return member.estimator.decision_function(rows)

    np.testing.assert_array_equal(engine.decision, estimator_decision(matrix))
    order = np.random.default_rng(0).permutation(len(matrix))
    for j in range(len(churn.FEATURES)):
        changed = matrix.copy()
        changed[:, j] = model.reference[churn.FEATURE_NAMES[j]]
        np.testing.assert_allclose(
            engine.with_constant(j, model.reference[churn.FEATURE_NAMES[j]]),
            estimator_decision(changed),
            rtol=1e-12,
            atol=1e-12,
        )
        changed[:, j] = matrix[order, j]
        np.testing.assert_allclose(
            engine.with_rows(j, order), estimator_decision(changed), rtol=1e-12, atol=1e-12
        )


def test_boosting_drivers_are_what_if_typical(boosting_model) -> None:
    """The drivers of a gradient boosting model (tabulated trees) equal the definition
    p(x) - p(x with feature j at its training median), feature by feature."""
    _, model = boosting_model
    customers = synthetic_training(200, seed=15)
    effects = churn.driver_effects(model, customers)
    base = model.predict(customers)
    for j, name in enumerate(churn.FEATURE_NAMES):
        changed = customers.copy()
        changed[name] = model.reference[name]
        np.testing.assert_allclose(effects[:, j], base - model.predict(changed), atol=1e-12)
    assert (effects.max(axis=1) >= churn.MIN_DRIVER_EFFECT).mean() > 0.3


def test_scores_do_not_depend_on_the_chunk_size(boosting_model, monkeypatch) -> None:
    _, model = boosting_model
    customers = synthetic_training(250, seed=16).drop(columns="is_churned")
    whole = churn.score_customers(model, customers, SETTINGS)
    monkeypatch.setattr(explain_module, "CHUNK_ROWS", 37)
    pd.testing.assert_frame_equal(churn.score_customers(model, customers, SETTINGS), whole)


def test_isotonic_calibration_is_monotone_and_bounded() -> None:
    rng = np.random.default_rng(3)
    decision = rng.normal(size=3000)
    labels = (rng.random(3000) < 1 / (1 + np.exp(-2 * decision))).astype(int)
    calibrator = churn.Calibrator.fit(decision, labels, "isotonic")
    grid = np.linspace(-6, 6, 2001)
    p = calibrator(grid)
    assert (np.diff(p) >= 0).all() and p.min() >= 0 and p.max() <= 1
    assert abs(p[1000] - 0.5) < 0.1  # decision 0: about even odds
    sigmoid = churn.Calibrator.fit(decision, labels, "sigmoid")
    assert (np.diff(sigmoid(grid)) > 0).all()


# ---------------------------------------------------------------- settings


def test_settings_defaults_are_the_dbt_project_vars_and_a_missing_var_is_named() -> None:
    """The dataclass defaults (used by Python callers) mirror dbt_project.yml, the only place
    of the defaults for dbt runs; a var missing from the model config is an error naming it."""
    project = yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())
    variables = project["vars"]
    defaults = ChurnSettings()
    assert defaults.validation_share == variables["churn_validation_share"]
    assert defaults.random_seed == variables["random_seed"]
    assert defaults.min_class_customers == variables["churn_min_class_customers"]
    assert defaults.risk_high == variables["churn_risk_high"]
    assert defaults.risk_medium == variables["churn_risk_medium"]
    assert defaults.min_auc_z == variables["churn_min_auc_z"]
    with pytest.raises(ConfigError, match="churn_risk_medium"):
        ChurnSettings.from_config(
            {
                "random_seed": "5",
                "churn_validation_share": "0.3",
                "churn_min_class_customers": "4",
                "churn_risk_high": "0.8",
            }
        )
