"""Hand-over between the churn dbt Python models: the metrics row as a typed frame, and the
training result as bytes."""

from __future__ import annotations

import pickle

import pandas as pd

from crm_mining.churn.training import METRIC_COLUMNS, ChurnTrainingResult

_FLOATS = frozenset(
    {
        "roc_auc",
        "pr_auc",
        "brier_score",
        "max_decile_calibration_gap",
        "recency_baseline_roc_auc",
        "logistic_regression_roc_auc",
        "hist_gradient_boosting_roc_auc",
        "base_rate",
    }
)
_INTS = frozenset(
    {
        "training_customers",
        "churned_training_customers",
        "fit_customers",
        "validation_customers",
        "scored_customers",
        "count_features_used",
        "random_seed",
    }
)


def metrics_frame(result: ChurnTrainingResult) -> pd.DataFrame:
    """The metrics as a one-row frame with explicit dtypes (nullable where undefined)."""
    row = result.metrics
    columns: dict[str, pd.Series] = {}
    for name in METRIC_COLUMNS:
        if name in _FLOATS:
            columns[name] = pd.Series([row[name]], dtype="Float64")
        elif name in _INTS:
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
