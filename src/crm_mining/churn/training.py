"""Training the churn classifier: fallbacks, model choice on a seeded sample, calibration,
validation metrics (see the package docstring for the steps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_mining._sklearn import average_precision_score, brier_score_loss
from crm_mining.churn.explain import importance_frame
from crm_mining.churn.inputs import (
    FeatureScreen,
    feature_matrix,
    reference_values,
    screen_features,
    stratified_sample,
    validation_split,
)
from crm_mining.churn.model import (
    CALIBRATION_MIN_HELD_OUT,
    ChurnModel,
    Member,
    calibration_method_for,
    candidate_models,
    fit_members,
    minority,
    single_threaded,
)
from crm_mining.churn.settings import BASE_RATE, CANDIDATES, FEATURE_NAMES, ChurnSettings
from crm_mining.metrics import roc_auc

#: The classifiers are fitted on at most this many customers (a seeded stratified sample):
#: above it, more customers barely move the out-of-time ROC AUC (docs/churn.md) and the fit
#: time grows with them. When the fit part alone has that many, the validated model scores.
MODEL_MAX_ROWS = 100_000
RECENCY = FEATURE_NAMES.index("recency_days")
#: Score of every customer when there is no labelled customer at all (no base rate either).
NO_LABEL_PROBABILITY = 0.5

#: The columns of fct_churn_model_metrics, in order, with the pandas dtype each is handed to
#: dbt in (nullable numbers: a metric is null where it is undefined).
METRIC_DTYPES: dict[str, str] = {
    "model_name": "string",
    "is_model_trained": "bool",
    "fallback_reason": "string",
    "calibration_method": "string",
    "roc_auc": "Float64",
    "pr_auc": "Float64",
    "brier_score": "Float64",
    "max_decile_calibration_gap": "Float64",
    "recency_baseline_roc_auc": "Float64",
    "logistic_regression_roc_auc": "Float64",
    "hist_gradient_boosting_roc_auc": "Float64",
    "base_rate": "Float64",
    "training_customers": "Int64",
    "churned_training_customers": "Int64",
    "fit_customers": "Int64",
    "validation_customers": "Int64",
    "scored_customers": "Int64",
    "count_features_used": "Int64",
    "features_left_out": "string",
    "random_seed": "Int64",
}
METRIC_COLUMNS: tuple[str, ...] = tuple(METRIC_DTYPES)


@dataclass
class ChurnTrainingResult:
    """Everything the training step hands to the scoring, metrics and importance models."""

    model: ChurnModel
    #: One row of fct_churn_model_metrics (see `METRIC_COLUMNS`).
    metrics: dict[str, Any]
    #: One row per used feature (see `explain.importance_frame`); empty without a model.
    importance: pd.DataFrame
    #: One row per decile of validation predictions (see `calibration_table`); empty without
    #: a model.
    calibration: pd.DataFrame = field(default_factory=lambda: calibration_table(None))
    #: The validated model's probabilities on the validation split (`validation_split`'s
    #: order), from which the metrics and the deciles are computed; empty without a model.
    validation_predictions: np.ndarray = field(default_factory=lambda: np.empty(0))


def standard_errors_above_chance(auc: float, positives: int, negatives: int) -> float:
    """(auc - 0.5) / the standard error of the ROC AUC of a score without signal, whose
    variance on positives and negatives without ties is (n1 + n0 + 1) / (12 n1 n0) (the
    Mann-Whitney U statistic's, divided by (n1 n0)^2)."""
    variance = (positives + negatives + 1) / (12.0 * positives * negatives)
    return (auc - 0.5) / float(np.sqrt(variance))


def fallback_reason(labels: np.ndarray, settings: ChurnSettings) -> str | None:
    """Why no classifier can be trained on these training labels, or None when one can."""
    n = len(labels)
    churned = int(np.sum(labels))
    retained = n - churned
    if n == 0:
        return (
            "no customer has a purchase before the training cutoff (as_of_date - "
            "churn_horizon_days): nothing to learn from; every score is "
            f"{NO_LABEL_PROBABILITY} (no base rate)"
        )
    if churned == n:
        return f"all {n} training customers churned: every score is the base rate 1.0"
    if churned == 0:
        return f"none of the {n} training customers churned: every score is the base rate 0.0"
    if min(churned, retained) < settings.min_class_customers:
        return (
            f"too few customers to train: {churned} churned and {retained} retained in the "
            f"training snapshot, each class needs at least {settings.min_class_customers} "
            f"(var churn_min_class_customers); every score is the base rate {churned / n:.4f}"
        )
    return None


def calibration_by_decile(labels: np.ndarray, probabilities: np.ndarray) -> pd.DataFrame:
    """Mean predicted probability and observed churn rate per decile of predicted probability.

    Deciles are of the rank (ties broken by position), so each holds n/10 customers (+-1).
    Columns: decile (1 = lowest predictions), customers, predicted_rate, observed_rate, gap.
    """
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(labels, dtype=float)
    if len(p) == 0:
        return pd.DataFrame(
            columns=["decile", "customers", "predicted_rate", "observed_rate", "gap"]
        )
    order = np.argsort(p, kind="mergesort")
    decile = np.empty(len(p), dtype=int)
    decile[order] = np.arange(len(p)) * 10 // len(p) + 1
    table = (
        pd.DataFrame({"decile": decile, "p": p, "y": y})
        .groupby("decile", sort=True)
        .agg(customers=("y", "size"), predicted_rate=("p", "mean"), observed_rate=("y", "mean"))
        .reset_index()
    )
    table["gap"] = table["predicted_rate"] - table["observed_rate"]
    return table


def calibration_table(deciles: pd.DataFrame | None) -> pd.DataFrame:
    """`calibration_by_decile` output as the rows of fct_churn_calibration, with explicit dtypes
    (no row for None: no model was trained)."""
    deciles = calibration_by_decile(np.empty(0), np.empty(0)) if deciles is None else deciles
    return pd.DataFrame(
        {
            "decile": deciles["decile"].astype("Int64"),
            "customer_count": deciles["customers"].astype("Int64"),
            "predicted_churn_rate": deciles["predicted_rate"].astype("Float64"),
            "observed_churn_rate": deciles["observed_rate"].astype("Float64"),
            "calibration_gap": deciles["gap"].astype("Float64"),
        }
    )


def metrics_row(**values: Any) -> dict[str, Any]:
    """A metrics row: every METRIC_COLUMNS key, None where not given."""
    unknown = set(values) - set(METRIC_COLUMNS)
    if unknown:
        raise KeyError(f"unknown metric columns {sorted(unknown)}")
    return {name: values.get(name) for name in METRIC_COLUMNS}


def train_churn_model(
    training: pd.DataFrame, settings: ChurnSettings, scored_customers: int = 0
) -> ChurnTrainingResult:
    """Screen the features, compare, choose, calibrate and validate the churn classifier.

    training: `labelled_training_frame` output (FEATURE_NAMES and is_churned per customer).
    scored_customers: rows of the scoring snapshot, only recorded in the metrics.
    Never raises on degenerate data: the result then scores every customer with the base rate
    and `metrics['fallback_reason']` says why.
    """
    with single_threaded():
        return _train(training, settings, scored_customers)


def _train(
    training: pd.DataFrame, settings: ChurnSettings, scored_customers: int
) -> ChurnTrainingResult:
    """train_churn_model's body."""
    labels = training["is_churned"].to_numpy(dtype=bool).astype(int)
    n = len(labels)
    churned = int(labels.sum())
    base_rate = churned / n if n else None
    features = feature_matrix(training)
    reference = reference_values(features)
    common = {
        "base_rate": base_rate,
        "training_customers": n,
        "churned_training_customers": churned,
        "scored_customers": scored_customers,
        "random_seed": settings.random_seed,
    }

    reason = fallback_reason(labels, settings)
    if reason is not None:
        return _fallback(reason, base_rate, reference, common)

    seed = settings.random_seed
    fit, validation = validation_split(labels, settings.validation_share, seed)
    y_fit, y_val = labels[fit], labels[validation]
    sizes = {"fit_customers": len(fit), "validation_customers": len(validation)}
    if minority(y_fit) < 2 or minority(y_val) < 1:
        reason = (
            f"the validation split (churn_validation_share {settings.validation_share}) leaves "
            f"too few customers of a class: fit part {int(y_fit.sum())} churned / "
            f"{len(y_fit) - int(y_fit.sum())} retained, validation part {int(y_val.sum())} / "
            f"{len(y_val) - int(y_val.sum())}; every score is the base rate {base_rate:.4f}"
        )
        return _fallback(reason, base_rate, reference, {**common, **sizes})

    sample = stratified_sample(fit, labels, MODEL_MAX_ROWS, seed)
    screen = screen_features(features[sample])
    screened = {
        "count_features_used": len(screen.used),
        "features_left_out": screen.describe_left_out(),
    }
    if not screen.used:
        reason = (
            "no feature carries information in the fit data: "
            f"{screen.describe_left_out()}; every score is the base rate {base_rate:.4f}"
        )
        return _fallback(reason, base_rate, reference, {**common, **sizes, **screened})

    columns = list(screen.used)
    x_sample, y_sample = features[sample][:, columns], labels[sample]
    x_val = features[validation][:, columns]
    candidates = candidate_models(seed)
    fitted = {name: candidates[name].fit(x_sample, y_sample) for name in CANDIDATES}
    candidate_auc = {
        name: roc_auc(y_val, fitted[name].decision_function(x_val)) for name in CANDIDATES
    }
    chosen = max(CANDIDATES, key=lambda name: (candidate_auc[name] or 0.0, -CANDIDATES.index(name)))
    comparison = {
        "recency_baseline_roc_auc": roc_auc(y_val, features[validation, RECENCY]),
        "logistic_regression_roc_auc": candidate_auc[CANDIDATES[0]],
        "hist_gradient_boosting_roc_auc": candidate_auc[CANDIDATES[1]],
        **sizes,
        **screened,
    }
    best_auc = candidate_auc[chosen] or 0.0
    churned_val = int(y_val.sum())
    retained_val = len(y_val) - churned_val
    z = standard_errors_above_chance(best_auc, churned_val, retained_val)
    if best_auc <= 0.5 or z < settings.min_auc_z:
        # Below the bar the split cannot tell the model from chance (Kaggle Groceries: 0.5194
        # on 961 customers, 0.99 standard errors): its bands would rank customers by noise.
        reason = (
            f"no candidate model beats chance on the validation split (best ROC AUC "
            f"{best_auc:.4f} on {churned_val} churned and {retained_val} retained "
            f"customers: {z:.2f} standard errors above 0.5, {settings.min_auc_z:g} needed, var "
            f"churn_min_auc_z): every score is the base rate {base_rate:.4f}"
        )
        return _fallback(reason, base_rate, reference, {**common, **comparison})

    method = calibration_method_for(n)
    held_out = None
    spare = np.setdiff1d(fit, sample)
    if len(spare) >= CALIBRATION_MIN_HELD_OUT:
        spare = stratified_sample(spare, labels, MODEL_MAX_ROWS, seed)
        held_out = (features[spare][:, columns], labels[spare])
    members = fit_members(
        candidates[chosen], x_sample, y_sample, method, seed, fitted[chosen], held_out
    )
    validated = _model(chosen, members, method, base_rate, reference, screen)
    p_val = validated.predict_matrix(features[validation])
    importance = importance_frame(validated, features[validation], y_val, seed)
    model = validated
    if len(fit) < MODEL_MAX_ROWS:
        # the fit part was smaller than a full sample: refit on the whole training snapshot
        everyone = stratified_sample(np.arange(n), labels, MODEL_MAX_ROWS, seed)
        members = fit_members(
            candidates[chosen], features[everyone][:, columns], labels[everyone], method, seed
        )
        model = _model(chosen, members, method, base_rate, reference, screen)
    deciles = calibration_by_decile(y_val, p_val)
    metrics = metrics_row(
        model_name=chosen,
        is_model_trained=True,
        calibration_method=method,
        roc_auc=roc_auc(y_val, p_val),
        pr_auc=float(average_precision_score(y_val, p_val)),
        brier_score=float(brier_score_loss(y_val, p_val)),
        max_decile_calibration_gap=float(deciles["gap"].abs().max()),
        **comparison,
        **common,
    )
    return ChurnTrainingResult(
        model=model,
        metrics=metrics,
        importance=importance,
        calibration=calibration_table(deciles),
        validation_predictions=p_val,
    )


def _model(
    name: str,
    members: tuple[Member, ...],
    method: str,
    base_rate: float | None,
    reference: dict[str, float],
    screen: FeatureScreen,
) -> ChurnModel:
    return ChurnModel(
        model_name=name,
        members=members,
        constant_probability=float(base_rate or 0.0),
        fallback_reason=None,
        calibration_method=method,
        reference=reference,
        used=screen.used,
    )


def _fallback(
    reason: str, base_rate: float | None, reference: dict[str, float], values: dict[str, Any]
) -> ChurnTrainingResult:
    """A constant-score result: the base rate, or NO_LABEL_PROBABILITY without labels."""
    constant = NO_LABEL_PROBABILITY if base_rate is None else float(base_rate)
    model = ChurnModel(
        model_name=BASE_RATE,
        members=(),
        constant_probability=constant,
        fallback_reason=reason,
        calibration_method="none",
        reference=reference,
    )
    metrics = metrics_row(
        model_name=BASE_RATE,
        is_model_trained=False,
        fallback_reason=reason,
        calibration_method="none",
        **values,
    )
    return ChurnTrainingResult(model=model, metrics=metrics, importance=importance_frame())
