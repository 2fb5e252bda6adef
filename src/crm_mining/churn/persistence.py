"""Hand-over between the churn dbt Python models: the metrics row as a typed frame, and the
training result as bytes."""

from __future__ import annotations

import pickle

import pandas as pd

from crm_mining.churn.training import METRIC_DTYPES, ChurnTrainingResult


def metrics_frame(result: ChurnTrainingResult) -> pd.DataFrame:
    """The metrics as a one-row frame with explicit dtypes (nullable where undefined)."""
    row = result.metrics
    columns = {
        name: pd.Series([bool(row[name]) if dtype == "bool" else row[name]], dtype=dtype)
        for name, dtype in METRIC_DTYPES.items()
    }
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
