"""crm_mining.metrics: the ROC AUC of the churn and CLV models, against scikit-learn and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

from crm_mining.metrics import average_ranks, roc_auc


def test_roc_auc_equals_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(5)
    labels = rng.random(500) < 0.4
    scores = np.round(rng.normal(size=500) + labels, 1)  # many ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    integer_labels = labels.astype(int)  # 0/1 labels, as the churn labels arrive
    assert roc_auc(integer_labels, scores) == roc_auc(labels, scores)


def test_roc_auc_needs_both_classes() -> None:
    assert roc_auc(np.array([True, True]), np.array([0.1, 0.2])) is None
    assert roc_auc(np.zeros(5), np.arange(5)) is None


def test_average_ranks_equal_scipy_rankdata() -> None:
    rng = np.random.default_rng(6)
    scores = np.round(rng.random(500), 1)
    np.testing.assert_array_equal(average_ranks(scores), rankdata(scores))
