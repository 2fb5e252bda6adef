"""Explaining the churn model: permutation importance of each feature, and per customer the
score, the risk band and the features that raise the score most compared with a typical
training customer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_mining.churn.inputs import feature_matrix, stratified_sample
from crm_mining.churn.model import ChurnModel, single_threaded
from crm_mining.churn.settings import FEATURE_NAMES, FEATURES, ChurnSettings
from crm_mining.metrics import roc_auc

#: Permutation importances are computed on at most this many validation customers (seeded
#: stratified sample), which bounds their cost on large data.
IMPORTANCE_MAX_ROWS = 20_000
IMPORTANCE_REPEATS = 5
#: A feature is listed as a driver when it raises the probability by at least this much.
MIN_DRIVER_EFFECT = 0.005
#: Customers explained at a time (bounds the memory of the what-if tables).
CHUNK_ROWS = 100_000

IMPORTANCE_COLUMNS: tuple[str, ...] = (
    "feature_name",
    "feature_label",
    "importance",
    "importance_std",
    "importance_rank",
    "model_name",
)
SCORE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "churn_probability",
    "churn_risk_band",
    "main_driver",
    "churn_drivers",
    "model_name",
    "is_fallback_score",
)
NO_DRIVER_TEXT = "no feature raises the risk above a typical customer's"


def importance_frame(
    model: ChurnModel | None = None,
    matrix: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    random_seed: int = 0,
    max_rows: int = IMPORTANCE_MAX_ROWS,
) -> pd.DataFrame:
    """Permutation importance of each feature the model uses: mean drop of the validation ROC
    AUC of the calibrated probability when the feature is shuffled (IMPORTANCE_REPEATS seeded
    permutations), and its standard deviation.

    matrix: FEATURE_NAMES matrix of the validation customers; labels: theirs. One row per used
    feature, rank 1 = largest drop (ties: FEATURES order), computed on at most max_rows rows
    (seeded stratified sample). Without a trained model: no rows.
    """
    empty = pd.DataFrame({name: pd.Series(dtype="object") for name in IMPORTANCE_COLUMNS})
    if model is None or not model.is_trained or matrix is None or labels is None:
        return _importance_dtypes(empty)
    keep = stratified_sample(np.arange(len(labels)), labels, max_rows, random_seed)
    matrix, labels = matrix[keep], labels[keep]
    rng = np.random.RandomState(random_seed)
    with single_threaded():
        engine = model.what_if(matrix)
        score = roc_auc(labels, engine.probability)
        if score is None:
            return _importance_dtypes(empty)
        drops = np.empty((len(model.used), IMPORTANCE_REPEATS))
        for k in range(len(model.used)):
            for repeat in range(IMPORTANCE_REPEATS):
                shuffled = engine.with_rows(k, rng.permutation(len(labels)))
                drops[k, repeat] = score - roc_auc(labels, shuffled)
    table = pd.DataFrame(
        {
            "feature_name": [FEATURE_NAMES[j] for j in model.used],
            "feature_label": [FEATURES[j].label for j in model.used],
            "importance": drops.mean(axis=1),
            "importance_std": drops.std(axis=1),
            "position": list(model.used),
        }
    )
    table = table.sort_values(["importance", "position"], ascending=[False, True], kind="mergesort")
    table["importance_rank"] = np.arange(1, len(table) + 1)
    table["model_name"] = model.model_name
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


def risk_bands(probabilities: np.ndarray, settings: ChurnSettings) -> np.ndarray:
    """'high' when p >= risk_high, 'medium' when p >= risk_medium, else 'low'."""
    p = np.asarray(probabilities, dtype=float)
    return np.where(
        p >= settings.risk_high, "high", np.where(p >= settings.risk_medium, "medium", "low")
    ).astype(object)


def _scores_and_effects(model: ChurnModel, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probability of each row and effect of each feature on it (rows x FEATURE_NAMES):
    effect[i, j] = p(x_i) - p(x_i with feature j set to the training median). Zero for the
    features the model does not use, and for a constant model."""
    n = len(matrix)
    effects = np.zeros((n, len(FEATURE_NAMES)))
    if not model.is_trained or n == 0:
        return model.predict_matrix(matrix), effects
    probabilities = np.empty(n)
    for start in range(0, n, CHUNK_ROWS):
        rows = slice(start, min(n, start + CHUNK_ROWS))
        engine = model.what_if(matrix[rows])
        base = engine.probability
        probabilities[rows] = base
        for k, j in enumerate(model.used):
            reference = model.reference_of(k)
            if not math.isnan(reference):
                effects[rows, j] = base - engine.with_constant(k, reference)
    return probabilities, effects


def driver_effects(model: ChurnModel, features: pd.DataFrame) -> np.ndarray:
    """Effect of each feature on each customer's probability (rows x FEATURE_NAMES):
    effect[i, j] = p(x_i) - p(x_i with feature j set to the training median): how much the
    customer's own value of feature j moves their score compared with a typical customer.
    Zeros for a constant (fallback) model and for the features it does not use."""
    with single_threaded():
        return _scores_and_effects(model, feature_matrix(features))[1]


def format_values(values: np.ndarray, kind: str, missing: str = "n/a") -> list[str]:
    """Feature values as text: `missing` when null, else by kind (int, float, money, share)."""
    if kind == "int":
        formatted = [f"{v:,.0f}" for v in values.tolist()]
    elif kind == "share":
        formatted = [f"{100 * v:.0f}%" for v in values.tolist()]
    else:
        formatted = [f"{v:,.2f}" for v in values.tolist()]
    return [
        text if not math.isnan(v) else missing for text, v in zip(formatted, values, strict=True)
    ]


def _format_value(value: float, kind: str) -> str:
    """One value as text (see format_values)."""
    return format_values(np.array([value], dtype=float), kind)[0]


def on_risky_side(model: ChurnModel, matrix: np.ndarray) -> np.ndarray:
    """Which values may be listed as drivers (rows x FEATURE_NAMES): a missing value, any value
    of a feature without a risk_direction, else a value on the feature's risky side of its
    training median (higher for +1, lower for -1)."""
    allowed = np.ones(matrix.shape, dtype=bool)
    for j, feature in enumerate(FEATURES):
        reference = model.reference.get(feature.name, math.nan)
        if feature.risk_direction == 0 or math.isnan(reference):
            continue
        values = matrix[:, j]
        side = np.sign(values - reference) == feature.risk_direction
        allowed[:, j] = np.isnan(values) | side
    return allowed


def listed_effects(model: ChurnModel, matrix: np.ndarray, effects: np.ndarray) -> np.ndarray:
    """The effects that may make drivers: -inf where the value is on the feature's safe side
    (see on_risky_side), so that a recent purchase is never given as a reason to churn."""
    if not model.is_trained or len(matrix) == 0:
        return effects
    return np.where(on_risky_side(model, matrix), effects, -np.inf)


def describe_drivers(
    model: ChurnModel, matrix: np.ndarray, effects: np.ndarray, top_n: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """The main driver (feature name or None) and a readable list of the top drivers per row.

    A driver is a feature whose own value raises the customer's probability by at least
    MIN_DRIVER_EFFECT compared with the training median (see `driver_effects`), with the value
    on the feature's risky side (see `listed_effects`); the largest first, ties by FEATURES
    order. Text: "<label> <value> (typical <median>): +<points> pts", joined by "; ". A
    constant model explains itself with its fallback reason.
    """
    n = len(matrix)
    if not model.is_trained:
        return np.full(n, None, dtype=object), np.full(
            n, f"no model trained: {model.fallback_reason}", dtype=object
        )
    listed = listed_effects(model, matrix, effects)
    order = np.argsort(-listed, axis=1, kind="stable")[:, :top_n]
    picked = np.take_along_axis(listed, order, axis=1) >= MIN_DRIVER_EFFECT
    texts = np.full(n, "", dtype=object)
    for rank in range(order.shape[1]):
        part = np.full(n, "", dtype=object)
        for j, feature in enumerate(FEATURES):
            rows = np.flatnonzero(picked[:, rank] & (order[:, rank] == j))
            if len(rows) == 0:
                continue
            values = format_values(matrix[rows, j], feature.kind, feature.missing_text)
            typical = _format_value(model.reference[feature.name], feature.kind)
            points = [f"{100 * e:.0f}" for e in effects[rows, j].tolist()]
            part[rows] = [
                f"{feature.label} {value} (typical {typical}): +{p} pts"
                for value, p in zip(values, points, strict=True)
            ]
        separator = np.where((rank > 0) & picked[:, rank], "; ", "").astype(object)
        texts = texts + separator + part
    main = np.where(picked[:, 0], np.array(FEATURE_NAMES, dtype=object)[order[:, 0]], None)
    texts = np.where(picked[:, 0], texts, NO_DRIVER_TEXT)
    return main.astype(object), texts.astype(object)


def score_customers(
    model: ChurnModel, scoring: pd.DataFrame, settings: ChurnSettings
) -> pd.DataFrame:
    """One row per customer of the scoring snapshot (sorted by customer_id): SCORE_COLUMNS."""
    scoring = scoring.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    matrix = feature_matrix(scoring)
    with single_threaded():
        probabilities, effects = _scores_and_effects(model, matrix)
    probabilities = np.clip(probabilities, 0.0, 1.0)
    main, texts = describe_drivers(model, matrix, effects, settings.top_drivers)
    n = len(scoring)
    return pd.DataFrame(
        {
            "customer_id": pd.Series(scoring["customer_id"].astype(str).tolist(), dtype="string"),
            "churn_probability": pd.Series(probabilities, dtype="float64"),
            "churn_risk_band": pd.Series(risk_bands(probabilities, settings), dtype="string"),
            "main_driver": pd.Series(main, dtype="string"),
            "churn_drivers": pd.Series(texts, dtype="string"),
            "model_name": pd.Series([model.model_name] * n, dtype="string"),
            "is_fallback_score": pd.Series([not model.is_trained] * n, dtype="bool"),
        }
    )
