"""Churn classification: model comparison, calibration, fallbacks and per-customer drivers.

Pure functions on pandas frames, called by the dbt Python models of python_models/churn/.

The inputs are the rows of `int_churn_features_snapshotted` (one row per snapshot and customer,
features computed only from the order lines dated before the snapshot's cutoff) and
`int_churn_labels_observed` (one row per customer of the training snapshot: `is_churned` = no
purchase in the horizon after the training cutoff). `train_churn_model`:

1. checks that the training snapshot can train a classifier (enough customers of each class),
   else falls back to a constant score (the base rate) and says why;
2. splits the training snapshot into a fit part and a stratified validation part
   (`validation_share`, seeded);
3. fits logistic regression and histogram gradient boosting on the fit part and keeps the
   better one by validation ROC AUC (ties: logistic regression, the simpler model);
4. calibrates the kept model with `CalibratedClassifierCV` (isotonic from
   `ISOTONIC_MIN_CUSTOMERS` training customers, sigmoid below) and reports its validation ROC AUC,
   PR AUC, Brier score and permutation importances, next to a recency-only baseline's ROC AUC;
5. refits the same calibrated procedure on the whole training snapshot for scoring.

`score_customers` then gives every customer of the scoring snapshot a probability, a risk band
and the features that raise their score most compared with a typical training customer.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from crm_mining._sklearn import (
    CalibratedClassifierCV,
    FunctionTransformer,
    HistGradientBoostingClassifier,
    LogisticRegression,
    Pipeline,
    SimpleImputer,
    StandardScaler,
    StratifiedKFold,
    average_precision_score,
    brier_score_loss,
    clone,
    permutation_importance,
    roc_auc_score,
    train_test_split,
)


@dataclass(frozen=True)
class ChurnFeature:
    """One model input: its column in int_churn_features_snapshotted and how to print it."""

    name: str
    label: str
    #: Format of a value in the drivers text: "int", "float", "money" or "share".
    kind: str


#: The model inputs, in this order (columns of int_churn_features_snapshotted).
FEATURES: tuple[ChurnFeature, ...] = (
    ChurnFeature("recency_days", "days since last purchase", "int"),
    ChurnFeature("frequency", "purchase orders", "int"),
    ChurnFeature("monetary", "net spend", "money"),
    ChurnFeature("avg_order_value", "average order value", "money"),
    ChurnFeature("tenure_days", "days since first purchase", "int"),
    ChurnFeature("purchases_per_30d", "purchases per 30 days", "float"),
    ChurnFeature("count_purchases_30d", "purchases in the last 30 days", "int"),
    ChurnFeature("count_purchases_90d", "purchases in the last 90 days", "int"),
    ChurnFeature("count_purchases_180d", "purchases in the last 180 days", "int"),
    ChurnFeature("spend_30d", "spend in the last 30 days", "money"),
    ChurnFeature("spend_90d", "spend in the last 90 days", "money"),
    ChurnFeature("spend_180d", "spend in the last 180 days", "money"),
    ChurnFeature("avg_gap_days", "usual days between purchases", "float"),
    ChurnFeature("stddev_gap_days", "spread of days between purchases", "float"),
    ChurnFeature("max_gap_days", "longest gap between purchases", "int"),
    ChurnFeature("recency_gap_ratio", "days since last purchase / usual gap", "float"),
    ChurnFeature("return_rate", "share of units returned", "share"),
    ChurnFeature("count_reviews", "reviews written", "int"),
    ChurnFeature("avg_review_compound", "average review sentiment", "float"),
    ChurnFeature("share_negative_reviews", "share of negative reviews", "share"),
    ChurnFeature("avg_review_rating", "average review rating", "float"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

LOGISTIC_REGRESSION = "logistic_regression"
GRADIENT_BOOSTING = "hist_gradient_boosting"
BASE_RATE = "base_rate"
#: Candidates in order of preference when their validation ROC AUC ties.
CANDIDATES: tuple[str, ...] = (LOGISTIC_REGRESSION, GRADIENT_BOOSTING)

#: Isotonic calibration from this many training customers; sigmoid (Platt) below, where
#: isotonic regression overfits its few calibration points.
ISOTONIC_MIN_CUSTOMERS = 1000
#: Permutation importances are computed on at most this many validation customers (seeded
#: sample), which bounds their cost on large data.
IMPORTANCE_MAX_ROWS = 20_000
IMPORTANCE_REPEATS = 5
#: Score of every customer when there is no labelled customer at all (no base rate either).
NO_LABEL_PROBABILITY = 0.5
#: A feature is listed as a driver when it raises the probability by at least this much.
MIN_DRIVER_EFFECT = 0.005


@dataclass(frozen=True)
class ChurnSettings:
    """Tunables of the churn model (dbt vars of the same names, see dbt_project.yml)."""

    #: Share of the training snapshot held out to compare and evaluate the models.
    validation_share: float = 0.25
    #: Seed of the split, the gradient boosting, the calibration folds and the importances.
    random_seed: int = 42
    #: Each class (churned, retained) needs at least this many training customers.
    min_class_customers: int = 10
    #: churn_probability >= risk_high: band 'high'; >= risk_medium: 'medium'; else 'low'.
    risk_high: float = 0.7
    risk_medium: float = 0.4
    #: Drivers listed per customer.
    top_drivers: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.validation_share < 1.0:
            raise ValueError(
                f"churn_validation_share must be in (0, 1), got {self.validation_share}"
            )
        if self.min_class_customers < 2:
            raise ValueError(
                f"churn_min_class_customers must be at least 2, got {self.min_class_customers}"
            )
        if not 0.0 <= self.risk_medium <= self.risk_high <= 1.0:
            raise ValueError(
                "churn risk thresholds must satisfy 0 <= churn_risk_medium <= churn_risk_high <= 1,"
                f" got medium={self.risk_medium}, high={self.risk_high}"
            )
        if self.top_drivers < 1:
            raise ValueError(f"top_drivers must be at least 1, got {self.top_drivers}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ChurnSettings:
        """Settings from the dbt vars of the same names (values may arrive as text)."""
        return cls(
            validation_share=float(config["churn_validation_share"]),
            random_seed=int(config["random_seed"]),
            min_class_customers=int(config["churn_min_class_customers"]),
            risk_high=float(config["churn_risk_high"]),
            risk_medium=float(config["churn_risk_medium"]),
        )


@dataclass
class ChurnModel:
    """What scores customers: a calibrated classifier, or a constant with the reason."""

    model_name: str
    #: Calibrated classifier fitted on the whole training snapshot; None for a constant score.
    estimator: Any | None
    constant_probability: float
    fallback_reason: str | None
    calibration_method: str
    #: Median of each feature over the training snapshot: the "typical customer" of drivers.
    reference: dict[str, float] = field(default_factory=dict)

    @property
    def is_trained(self) -> bool:
        return self.estimator is not None

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Churn probability of each row of `features` (columns FEATURE_NAMES)."""
        if self.estimator is None:
            return np.full(len(features), self.constant_probability, dtype=float)
        if len(features) == 0:
            return np.empty(0, dtype=float)
        return self.estimator.predict_proba(feature_matrix(features))[:, 1]


@dataclass
class ChurnTrainingResult:
    """Everything the training step hands to the scoring, metrics and importance models."""

    model: ChurnModel
    #: One row of fct_churn_model_metrics (see `METRIC_COLUMNS`).
    metrics: dict[str, Any]
    #: One row per feature (see `importance_frame`); empty when no model was trained.
    importance: pd.DataFrame
    #: One row per decile of validation predictions (see `calibration_table`); empty when no
    #: model was trained.
    calibration: pd.DataFrame = field(default_factory=lambda: calibration_table(None))


# Inputs -------------------------------------------------------------------------------------


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    """The FEATURE_NAMES columns as a float matrix (nulls become NaN)."""
    columns = [
        pd.to_numeric(features[name], errors="raise").astype("float64").to_numpy(na_value=np.nan)
        for name in FEATURE_NAMES
    ]
    return np.column_stack(columns).reshape(len(features), len(FEATURE_NAMES))


def labelled_training_frame(features: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Training snapshot rows of `features` with their `is_churned` label, sorted by customer.

    features: rows of int_churn_features_snapshotted (snapshot_name, customer_id, features).
    labels: rows of int_churn_labels_observed (customer_id, is_churned).
    A training customer without a label is an error (the two models disagree).
    """
    training = features.loc[features["snapshot_name"] == "training"]
    merged = training.merge(
        labels[["customer_id", "is_churned"]], on="customer_id", how="left", validate="1:1"
    )
    if merged["is_churned"].isna().any():
        missing = merged.loc[merged["is_churned"].isna(), "customer_id"].head(5).tolist()
        raise ValueError(f"training customers without a label, e.g. {missing}")
    merged["is_churned"] = merged["is_churned"].astype(bool)
    return merged.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def scoring_frame(features: pd.DataFrame) -> pd.DataFrame:
    """Scoring snapshot rows of `features`, sorted by customer."""
    scoring = features.loc[features["snapshot_name"] == "scoring"]
    return scoring.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


# Decisions ----------------------------------------------------------------------------------


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


def calibration_method_for(n_customers: int) -> str:
    """'isotonic' from ISOTONIC_MIN_CUSTOMERS training customers, else 'sigmoid'."""
    return "isotonic" if n_customers >= ISOTONIC_MIN_CUSTOMERS else "sigmoid"


def risk_bands(probabilities: np.ndarray, settings: ChurnSettings) -> np.ndarray:
    """'high' when p >= risk_high, 'medium' when p >= risk_medium, else 'low'."""
    p = np.asarray(probabilities, dtype=float)
    return np.where(
        p >= settings.risk_high, "high", np.where(p >= settings.risk_medium, "medium", "low")
    ).astype(object)


# Models -------------------------------------------------------------------------------------


def _signed_log1p(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|): tames the long tails of counts and amounts for the linear model."""
    return np.sign(values) * np.log1p(np.abs(values))


def candidate_models(random_seed: int) -> dict[str, Any]:
    """Unfitted candidates by name: logistic regression and histogram gradient boosting.

    Logistic regression: median imputation with missing-value indicators (the gap features are
    null for one-purchase customers), signed log, standardisation. Gradient boosting handles
    missing values itself.
    """
    return {
        LOGISTIC_REGRESSION: Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                ("log", FunctionTransformer(_signed_log1p)),
                ("scale", StandardScaler()),
                ("classify", LogisticRegression(C=1.0, max_iter=5000)),
            ]
        ),
        GRADIENT_BOOSTING: HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=150,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping="auto",
            random_state=random_seed,
        ),
    }


def _calibrated(
    estimator: Any, labels: np.ndarray, method: str, random_seed: int
) -> CalibratedClassifierCV:
    """The estimator in cross-validated calibration: up to 5 stratified folds (fewer when the
    smaller class has fewer customers), each fold's model calibrated on its held-out part and
    the probabilities averaged over folds."""
    folds = StratifiedKFold(
        n_splits=max(2, min(5, _minority(labels))), shuffle=True, random_state=random_seed
    )
    return CalibratedClassifierCV(clone(estimator), method=method, cv=folds)


def _minority(labels: np.ndarray) -> int:
    """Customers of the smaller class."""
    churned = int(np.sum(labels))
    return min(churned, len(labels) - churned)


def validation_split(
    labels: np.ndarray, validation_share: float, random_seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the fit part and of the stratified validation part.

    The validation part holds round(share * n) rows, at least one of each class and at least
    one row of each class is left to fit.
    """
    n = len(labels)
    n_validation = min(max(2, round(validation_share * n)), n - 2)
    positions = np.arange(n)
    fit, validation = train_test_split(
        positions, test_size=n_validation, stratify=labels, random_state=random_seed
    )
    return np.sort(fit), np.sort(validation)


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC, None when the labels have a single class."""
    if len(np.unique(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


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


METRIC_COLUMNS: tuple[str, ...] = (
    "model_name",
    "is_model_trained",
    "fallback_reason",
    "calibration_method",
    "roc_auc",
    "pr_auc",
    "brier_score",
    "max_decile_calibration_gap",
    "recency_baseline_roc_auc",
    "logistic_regression_roc_auc",
    "hist_gradient_boosting_roc_auc",
    "base_rate",
    "training_customers",
    "churned_training_customers",
    "fit_customers",
    "validation_customers",
    "scored_customers",
    "random_seed",
)


def _metrics(**values: Any) -> dict[str, Any]:
    """A metrics row: every METRIC_COLUMNS key, None where not given."""
    unknown = set(values) - set(METRIC_COLUMNS)
    if unknown:
        raise KeyError(f"unknown metric columns {sorted(unknown)}")
    return {name: values.get(name) for name in METRIC_COLUMNS}


def train_churn_model(
    training: pd.DataFrame, settings: ChurnSettings, scored_customers: int = 0
) -> ChurnTrainingResult:
    """Compare, choose, calibrate and refit the churn classifier (see the module docstring).

    training: `labelled_training_frame` output (FEATURE_NAMES and is_churned per customer).
    scored_customers: rows of the scoring snapshot, only recorded in the metrics.
    Never raises on degenerate data: the result then scores every customer with the base rate
    and `metrics['fallback_reason']` says why.
    """
    with _single_threaded():
        return _train(training, settings, scored_customers)


def _single_threaded() -> threadpool_limits:
    """BLAS and OpenMP on one thread while fitting and predicting. dbt already runs two
    models at a time on this 2-core machine, and idle BLAS / OpenMP threads spinning beside
    busy ones made training several times slower whenever the machine was busy (measured:
    a 150-iteration gradient boosting fit on 3,000 rows took 5.6 s on two OpenMP threads
    under load, 0.4 s on one)."""
    return threadpool_limits(limits=1)


def _train(
    training: pd.DataFrame, settings: ChurnSettings, scored_customers: int
) -> ChurnTrainingResult:
    """train_churn_model's body."""
    labels = training["is_churned"].to_numpy(dtype=bool).astype(int)
    n = len(labels)
    churned = int(labels.sum())
    base_rate = churned / n if n else None
    reference = _reference_values(training)
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

    features = feature_matrix(training)
    fit, validation = validation_split(labels, settings.validation_share, settings.random_seed)
    x_fit, y_fit = features[fit], labels[fit]
    x_val, y_val = features[validation], labels[validation]
    recency = training["recency_days"].to_numpy(dtype=float)[validation]
    sizes = {"fit_customers": len(fit), "validation_customers": len(validation)}
    if _minority(y_fit) < 2 or _minority(y_val) < 1:
        reason = (
            f"the validation split (churn_validation_share {settings.validation_share}) leaves "
            f"too few customers of a class: fit part {int(y_fit.sum())} churned / "
            f"{len(y_fit) - int(y_fit.sum())} retained, validation part {int(y_val.sum())} / "
            f"{len(y_val) - int(y_val.sum())}; every score is the base rate {base_rate:.4f}"
        )
        return _fallback(reason, base_rate, reference, {**common, **sizes})

    candidate_auc: dict[str, float | None] = {}
    candidates = candidate_models(settings.random_seed)
    for name in CANDIDATES:
        fitted = clone(candidates[name]).fit(x_fit, y_fit)
        candidate_auc[name] = _auc(y_val, fitted.predict_proba(x_val)[:, 1])
    chosen = max(CANDIDATES, key=lambda name: (candidate_auc[name] or 0.0, -CANDIDATES.index(name)))
    comparison = {
        "recency_baseline_roc_auc": _auc(y_val, recency),
        "logistic_regression_roc_auc": candidate_auc.get(LOGISTIC_REGRESSION),
        "hist_gradient_boosting_roc_auc": candidate_auc.get(GRADIENT_BOOSTING),
        **sizes,
    }
    best_auc = candidate_auc[chosen] or 0.0
    if best_auc <= 0.5:
        reason = (
            f"no candidate model beats chance on the validation split (best ROC AUC "
            f"{best_auc:.4f}): every score is the base rate {base_rate:.4f}"
        )
        return _fallback(reason, base_rate, reference, {**common, **comparison})

    method = calibration_method_for(n)
    validated = _calibrated(candidates[chosen], y_fit, method, settings.random_seed)
    validated.fit(x_fit, y_fit)
    p_val = validated.predict_proba(x_val)[:, 1]
    deciles = calibration_by_decile(y_val, p_val)
    importance = importance_frame(
        validated, x_val, y_val, chosen, settings.random_seed, IMPORTANCE_MAX_ROWS
    )
    final = _calibrated(candidates[chosen], labels, method, settings.random_seed)
    final.fit(features, labels)
    model = ChurnModel(
        model_name=chosen,
        estimator=final,
        constant_probability=float(base_rate),
        fallback_reason=None,
        calibration_method=method,
        reference=reference,
    )
    metrics = _metrics(
        model_name=chosen,
        is_model_trained=True,
        calibration_method=method,
        roc_auc=_auc(y_val, p_val),
        pr_auc=float(average_precision_score(y_val, p_val)),
        brier_score=float(brier_score_loss(y_val, p_val)),
        max_decile_calibration_gap=float(deciles["gap"].abs().max()),
        **comparison,
        **common,
    )
    return ChurnTrainingResult(
        model=model, metrics=metrics, importance=importance, calibration=calibration_table(deciles)
    )


def _fallback(
    reason: str, base_rate: float | None, reference: dict[str, float], values: dict[str, Any]
) -> ChurnTrainingResult:
    """A constant-score result: the base rate, or NO_LABEL_PROBABILITY without labels."""
    constant = NO_LABEL_PROBABILITY if base_rate is None else float(base_rate)
    model = ChurnModel(
        model_name=BASE_RATE,
        estimator=None,
        constant_probability=constant,
        fallback_reason=reason,
        calibration_method="none",
        reference=reference,
    )
    metrics = _metrics(
        model_name=BASE_RATE,
        is_model_trained=False,
        fallback_reason=reason,
        calibration_method="none",
        **values,
    )
    return ChurnTrainingResult(model=model, metrics=metrics, importance=importance_frame())


def _reference_values(training: pd.DataFrame) -> dict[str, float]:
    """Median of each feature over the training customers (NaN when it is always null)."""
    if len(training) == 0:
        return {name: math.nan for name in FEATURE_NAMES}
    matrix = feature_matrix(training)
    medians = {}
    for position, name in enumerate(FEATURE_NAMES):
        column = matrix[:, position]
        present = column[~np.isnan(column)]
        medians[name] = float(np.median(present)) if len(present) else math.nan
    return medians


# Importance and drivers ---------------------------------------------------------------------

IMPORTANCE_COLUMNS: tuple[str, ...] = (
    "feature_name",
    "feature_label",
    "importance",
    "importance_std",
    "importance_rank",
    "model_name",
)


def importance_frame(
    estimator: Any | None = None,
    features: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    model_name: str = BASE_RATE,
    random_seed: int = 0,
    max_rows: int = IMPORTANCE_MAX_ROWS,
) -> pd.DataFrame:
    """Permutation importance of each feature: mean drop of validation ROC AUC when shuffled.

    One row per feature, rank 1 = largest drop (ties: FEATURES order). Computed on at most
    max_rows validation rows (seeded stratified sample). Without an estimator: no rows.
    """
    empty = pd.DataFrame({name: pd.Series(dtype="object") for name in IMPORTANCE_COLUMNS})
    if estimator is None or features is None or labels is None:
        return _importance_dtypes(empty)
    if len(labels) > max_rows:
        keep, _ = train_test_split(
            np.arange(len(labels)), train_size=max_rows, stratify=labels, random_state=random_seed
        )
        keep = np.sort(keep)
        features, labels = features[keep], labels[keep]
    result = permutation_importance(
        estimator,
        features,
        labels,
        scoring="roc_auc",
        n_repeats=IMPORTANCE_REPEATS,
        random_state=random_seed,
    )
    table = pd.DataFrame(
        {
            "feature_name": list(FEATURE_NAMES),
            "feature_label": [f.label for f in FEATURES],
            "importance": result.importances_mean,
            "importance_std": result.importances_std,
            "position": np.arange(len(FEATURES)),
        }
    )
    table = table.sort_values(["importance", "position"], ascending=[False, True], kind="mergesort")
    table["importance_rank"] = np.arange(1, len(table) + 1)
    table["model_name"] = model_name
    return _importance_dtypes(table.drop(columns="position").reset_index(drop=True))


def _importance_dtypes(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(
        {
            "feature_name": "string",
            "feature_label": "string",
            "importance": "float64",
            "importance_std": "float64",
            "importance_rank": "int64",
            "model_name": "string",
        }
    )[list(IMPORTANCE_COLUMNS)]


def _format_value(value: float, kind: str) -> str:
    """A feature value as text: 'n/a' when null, else by kind (int, float, money, share)."""
    if value is None or math.isnan(value):
        return "n/a"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "share":
        return f"{100 * value:.0f}%"
    return f"{value:,.2f}"


def driver_effects(model: ChurnModel, features: pd.DataFrame) -> np.ndarray:
    """Effect of each feature on each customer's probability (rows x FEATURE_NAMES).

    effect[i, j] = p(x_i) - p(x_i with feature j set to the training median): how much the
    customer's own value of feature j moves their score compared with a typical customer.
    Zeros for a constant (fallback) model.
    """
    n = len(features)
    effects = np.zeros((n, len(FEATURE_NAMES)))
    if model.estimator is None or n == 0:
        return effects
    matrix = feature_matrix(features)
    base = model.estimator.predict_proba(matrix)[:, 1]
    for position, name in enumerate(FEATURE_NAMES):
        reference = model.reference.get(name, math.nan)
        if math.isnan(reference):
            continue
        changed = matrix.copy()
        changed[:, position] = reference
        effects[:, position] = base - model.estimator.predict_proba(changed)[:, 1]
    return effects


def describe_drivers(
    model: ChurnModel, features: pd.DataFrame, top_n: int = 3
) -> tuple[list[str | None], list[str]]:
    """The main driver (feature name) and a readable list of the top drivers per customer.

    A driver is a feature whose own value raises the customer's probability by at least
    MIN_DRIVER_EFFECT compared with the training median (see `driver_effects`); the largest
    first, ties by FEATURES order. Text: "<label> <value> (typical <median>): +<points> pts",
    joined by "; ". A constant model explains itself with its fallback reason.
    """
    n = len(features)
    if model.estimator is None:
        text = f"no model trained: {model.fallback_reason}"
        return [None] * n, [text] * n
    effects = driver_effects(model, features)
    matrix = feature_matrix(features)
    main: list[str | None] = []
    texts: list[str] = []
    for row in range(n):
        order = sorted(range(len(FEATURES)), key=lambda j: (-effects[row, j], j))
        picked = [j for j in order if effects[row, j] >= MIN_DRIVER_EFFECT][:top_n]
        if not picked:
            main.append(None)
            texts.append("no feature raises the risk above a typical customer's")
            continue
        main.append(FEATURES[picked[0]].name)
        parts = []
        for j in picked:
            feature = FEATURES[j]
            value = _format_value(matrix[row, j], feature.kind)
            typical = _format_value(model.reference[feature.name], feature.kind)
            parts.append(
                f"{feature.label} {value} (typical {typical}): +{100 * effects[row, j]:.0f} pts"
            )
        texts.append("; ".join(parts))
    return main, texts


SCORE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "churn_probability",
    "churn_risk_band",
    "main_driver",
    "churn_drivers",
    "model_name",
    "is_fallback_score",
)


def score_customers(
    model: ChurnModel, scoring: pd.DataFrame, settings: ChurnSettings
) -> pd.DataFrame:
    """One row per customer of the scoring snapshot (sorted by customer_id): SCORE_COLUMNS."""
    scoring = scoring.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    with _single_threaded():
        probabilities = np.clip(model.predict(scoring), 0.0, 1.0)
        main, texts = describe_drivers(model, scoring, settings.top_drivers)
    return pd.DataFrame(
        {
            "customer_id": pd.Series(scoring["customer_id"].astype(str).tolist(), dtype="string"),
            "churn_probability": pd.Series(probabilities, dtype="float64"),
            "churn_risk_band": pd.Series(risk_bands(probabilities, settings), dtype="string"),
            "main_driver": pd.Series(main, dtype="string"),
            "churn_drivers": pd.Series(texts, dtype="string"),
            "model_name": pd.Series([model.model_name] * len(scoring), dtype="string"),
            "is_fallback_score": pd.Series([not model.is_trained] * len(scoring), dtype="bool"),
        }
    )


# Hand-over between the dbt Python models ----------------------------------------------------


def metrics_frame(result: ChurnTrainingResult) -> pd.DataFrame:
    """The metrics as a one-row frame with explicit dtypes (nullable where undefined)."""
    row = result.metrics
    floats = [
        "roc_auc",
        "pr_auc",
        "brier_score",
        "max_decile_calibration_gap",
        "recency_baseline_roc_auc",
        "logistic_regression_roc_auc",
        "hist_gradient_boosting_roc_auc",
        "base_rate",
    ]
    ints = [
        "training_customers",
        "churned_training_customers",
        "fit_customers",
        "validation_customers",
        "scored_customers",
        "random_seed",
    ]
    columns: dict[str, pd.Series] = {}
    for name in METRIC_COLUMNS:
        if name in floats:
            columns[name] = pd.Series([row[name]], dtype="Float64")
        elif name in ints:
            columns[name] = pd.Series([row[name]], dtype="Int64")
        elif name == "is_model_trained":
            columns[name] = pd.Series([bool(row[name])], dtype="bool")
        else:
            columns[name] = pd.Series([row[name]], dtype="string")
    return pd.DataFrame(columns)


def dump_result(result: ChurnTrainingResult) -> bytes:
    """The training result as bytes (pickle), stored in int_churn_model_trained."""
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def load_result(payload: bytes | bytearray | memoryview) -> ChurnTrainingResult:
    """The training result stored by `dump_result` (only ever read from this project's tables)."""
    result = pickle.loads(bytes(payload))
    if not isinstance(result, ChurnTrainingResult):
        raise TypeError(f"expected a ChurnTrainingResult, got {type(result).__name__}")
    return result
