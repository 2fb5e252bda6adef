"""Model metrics shared by the churn and CLV helpers."""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the values, ties sharing the mean of their ranks (as scipy's rankdata);
    NaNs are equal to each other and rank last."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts).astype("float64")
    return ((ends - counts + 1.0 + ends) / 2.0)[inverse.reshape(-1)]


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC from ranks (Mann-Whitney U, ties counted one half); None unless both classes are
    present. Equal to sklearn's roc_auc_score, without its input checks (the churn permutation
    importance calls it once per feature and repeat)."""
    labels = np.asarray(labels, dtype=bool)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = average_ranks(np.asarray(scores, dtype="float64"))
    rank_sum = float(np.sum(ranks[labels]))
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)
