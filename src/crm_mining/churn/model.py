"""The churn classifiers: the two candidates, their calibration on out-of-fold decision values,
and `ChurnModel`, what scores customers (a calibrated classifier, or a constant with the
reason)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from threadpoolctl import threadpool_limits

from crm_mining._sklearn import (
    FunctionTransformer,
    HistGradientBoostingClassifier,
    IsotonicRegression,
    LogisticRegression,
    Pipeline,
    SimpleImputer,
    StandardScaler,
    StratifiedKFold,
    clone,
)
from crm_mining.churn.inputs import feature_matrix
from crm_mining.churn.settings import FEATURE_NAMES, GRADIENT_BOOSTING, LOGISTIC_REGRESSION
from crm_mining.churn.whatif import CompiledTrees, WhatIf, what_if

#: Isotonic calibration from this many training customers; sigmoid (Platt) below, where
#: isotonic regression overfits its few calibration points.
ISOTONIC_MIN_CUSTOMERS = 1000
#: Folds of the out-of-fold decision values the calibration is fitted on (fewer when the
#: smaller class has fewer customers).
CALIBRATION_FOLDS = 5
#: With at least this many held-out customers of the fit part (those outside the fit sample),
#: the calibration is fitted on their decision values instead: the very model it calibrates,
#: on customers it never saw, and no extra fit.
CALIBRATION_MIN_HELD_OUT = 10_000


def single_threaded() -> threadpool_limits:
    """BLAS and OpenMP on one thread while fitting and predicting: gradient boosting sums
    gradients in parallel chunks, so its fit depends on the thread count, and dbt already runs
    two models at a time on this 2-core machine (idle BLAS / OpenMP threads spinning beside busy
    ones made training several times slower whenever the machine was busy)."""
    return threadpool_limits(limits=1)


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


def calibration_method_for(n_customers: int) -> str:
    """'isotonic' from ISOTONIC_MIN_CUSTOMERS training customers, else 'sigmoid'."""
    return "isotonic" if n_customers >= ISOTONIC_MIN_CUSTOMERS else "sigmoid"


def minority(labels: np.ndarray) -> int:
    """Customers of the smaller class."""
    churned = int(np.sum(labels))
    return min(churned, len(labels) - churned)


@dataclass
class Calibrator:
    """Maps a classifier's decision value to a churn probability.

    isotonic: the isotonic regression of the labels on the decision values, interpolated
    linearly between the centres of its steps (mean decision value of each step), so that
    close decision values never get probabilities a whole step apart (a plain isotonic fit is
    a staircase: on 2,000 customers it put a decile 5 points off). sigmoid: a logistic curve
    of the decision value (Platt scaling).
    """

    method: str
    #: isotonic: (centres, probabilities) of the steps; sigmoid: the fitted logistic regression.
    mapping: Any

    @classmethod
    def fit(cls, decision: np.ndarray, labels: np.ndarray, method: str) -> Calibrator:
        if method == "isotonic":
            order = np.argsort(decision, kind="stable")
            x = np.asarray(decision, dtype=float)[order]
            fitted = IsotonicRegression(y_min=0.0, y_max=1.0).fit_transform(x, labels[order])
            starts = np.concatenate([[0], np.flatnonzero(np.diff(fitted)) + 1])
            counts = np.diff(np.concatenate([starts, [len(x)]]))
            centres = np.add.reduceat(x, starts) / counts
            return cls(method=method, mapping=(centres, fitted[starts]))
        mapping = LogisticRegression(C=1e4, max_iter=1000)
        mapping.fit(np.asarray(decision, dtype=float).reshape(-1, 1), labels)
        return cls(method=method, mapping=mapping)

    def __call__(self, decision: np.ndarray) -> np.ndarray:
        if self.method == "isotonic":
            centres, probabilities = self.mapping
            return np.clip(np.interp(decision, centres, probabilities), 0.0, 1.0)
        return self.mapping.predict_proba(np.asarray(decision).reshape(-1, 1))[:, 1]


def _guarded_fit(estimator: Any, x: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
    """Fit a clone on x, with the columns that are null in every row of x set to 0 (a fold of
    the fit rows can miss every value of a rare feature; gradient boosting cannot bin an
    all-null column). Returns the model and the columns so set."""
    empty = np.isnan(x).all(axis=0)
    if empty.any():
        x = x.copy()
        x[:, empty] = 0.0
    return clone(estimator).fit(x, y), empty


def out_of_fold_decision(
    estimator: Any, x: np.ndarray, y: np.ndarray, random_seed: int
) -> np.ndarray:
    """Decision value of each row from a model fitted on the other folds (stratified, seeded)."""
    folds = StratifiedKFold(
        n_splits=max(2, min(CALIBRATION_FOLDS, minority(y))), shuffle=True, random_state=random_seed
    )
    decision = np.empty(len(y))
    for train, held_out in folds.split(x, y):
        fitted, empty = _guarded_fit(estimator, x[train], y[train])
        rows = x[held_out].copy()
        rows[:, empty] = 0.0
        decision[held_out] = fitted.decision_function(rows)
    return decision


def fit_calibrated(
    estimator: Any,
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    random_seed: int,
    fitted: Any = None,
    held_out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Any, Calibrator]:
    """The estimator fitted on every row of x (or `fitted`, already fitted on them) and its
    calibrator: fitted on the decision values of the `held_out` rows (x, y) when given, else
    on the out-of-fold decision values of x."""
    if fitted is None:
        fitted = clone(estimator).fit(x, y)
    if held_out is not None:
        return fitted, Calibrator.fit(fitted.decision_function(held_out[0]), held_out[1], method)
    decision = out_of_fold_decision(estimator, x, y, random_seed)
    return fitted, Calibrator.fit(decision, y, method)


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC from ranks (Mann-Whitney U, ties counted half), None with a single class.
    Equal to sklearn's roc_auc_score, without its input checks (it is called once per feature
    and repeat of the permutation importance)."""
    labels = np.asarray(labels).astype(bool)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(scores, method="average")
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass
class ChurnModel:
    """What scores customers: a calibrated classifier, or a constant with the reason."""

    model_name: str
    #: Classifier fitted on the used features; None for a constant score.
    estimator: Any | None
    calibrator: Calibrator | None
    constant_probability: float
    fallback_reason: str | None
    calibration_method: str
    #: Median of each feature over the training snapshot: the "typical customer" of drivers.
    reference: dict[str, float] = field(default_factory=dict)
    #: Positions in FEATURE_NAMES of the features the classifier was fitted on.
    used: tuple[int, ...] = ()
    _compiled: CompiledTrees | None = field(default=None, repr=False, compare=False)

    @property
    def is_trained(self) -> bool:
        return self.estimator is not None

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Churn probability of each row of `features` (columns FEATURE_NAMES)."""
        if self.estimator is None:
            return np.full(len(features), self.constant_probability, dtype=float)
        return self.predict_matrix(feature_matrix(features))

    def predict_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Churn probability of each row of a FEATURE_NAMES matrix."""
        if self.estimator is None:
            return np.full(len(matrix), self.constant_probability, dtype=float)
        if len(matrix) == 0:
            return np.empty(0, dtype=float)
        return self.probability(self.estimator.decision_function(matrix[:, list(self.used)]))

    def probability(self, decision: np.ndarray) -> np.ndarray:
        """The calibrated probability of decision values."""
        assert self.calibrator is not None
        return self.calibrator(decision)

    def what_if(self, matrix: np.ndarray) -> WhatIf:
        """The what-if engine on the used columns of a FEATURE_NAMES matrix."""
        if self._compiled is None and CompiledTrees.supports(self.estimator):
            self._compiled = CompiledTrees(self.estimator, len(self.used))
        return what_if(self.estimator, matrix[:, list(self.used)], self._compiled)

    def __getstate__(self) -> dict[str, Any]:
        # the tabulated trees are rebuilt where they are needed, not stored with the model
        return {**self.__dict__, "_compiled": None}

    def reference_of(self, position: int) -> float:
        """The typical value of the used feature at `position` in self.used."""
        return self.reference.get(FEATURE_NAMES[self.used[position]], math.nan)
