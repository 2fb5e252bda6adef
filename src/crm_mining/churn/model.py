"""The churn classifiers: the two candidates, their calibration on out-of-fold decision values,
and `ChurnModel`, what scores customers (a calibrated classifier, or a constant with the
reason)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
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


@dataclass
class Member:
    """One calibrated classifier: an estimator on the used features and its calibrator."""

    estimator: Any
    calibrator: Calibrator
    _compiled: CompiledTrees | None = field(default=None, repr=False, compare=False)

    def decision(self, matrix: np.ndarray) -> np.ndarray:
        with single_threaded():
            return self.estimator.decision_function(matrix)

    def what_if(self, matrix: np.ndarray) -> WhatIf:
        """The what-if engine of the estimator on `matrix` (its own columns)."""
        if self._compiled is None and CompiledTrees.supports(self.estimator):
            self._compiled = CompiledTrees(self.estimator, matrix.shape[1])
        return what_if(self.estimator, matrix, self._compiled)

    def __getstate__(self) -> dict[str, Any]:
        # the tabulated trees are rebuilt where they are needed, not stored with the model
        return {**self.__dict__, "_compiled": None}


def fit_members(
    estimator: Any,
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    random_seed: int,
    fitted: Any = None,
    held_out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Member, ...]:
    """The calibrated classifiers of x, y.

    With `held_out` rows (x, y): one member, the estimator fitted on x (or `fitted`, already
    fitted on it) calibrated on the held-out rows' decision values. Otherwise, as
    CalibratedClassifierCV's ensemble: one member per stratified fold (CALIBRATION_FOLDS,
    seeded), fitted on the other folds and calibrated on its own; the probability is their
    mean. Columns that are null in every row a member is fitted on are set to 0 for it (a fold
    can miss every value of a rare feature; gradient boosting cannot bin an all-null column).
    """
    if held_out is not None:
        if fitted is None:
            fitted = clone(estimator).fit(x, y)
        calibrator = Calibrator.fit(fitted.decision_function(held_out[0]), held_out[1], method)
        return (Member(fitted, calibrator),)
    folds = StratifiedKFold(
        n_splits=max(2, min(CALIBRATION_FOLDS, minority(y))),
        shuffle=True,
        random_state=random_seed,
    )
    members = []
    for train, own in folds.split(x, y):
        rows = x[train]
        empty = np.isnan(rows).all(axis=0)
        member_estimator = clone(estimator)
        if empty.any():
            member_estimator = Pipeline(
                [
                    ("fill", FunctionTransformer(_zero_columns, kw_args={"columns": empty})),
                    ("model", member_estimator),
                ]
            )
        member_estimator.fit(rows, y[train])
        calibrator = Calibrator.fit(member_estimator.decision_function(x[own]), y[own], method)
        members.append(Member(member_estimator, calibrator))
    return tuple(members)


def _zero_columns(matrix: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The matrix with the given columns (boolean mask) set to 0."""
    matrix = np.array(matrix, dtype=float, copy=True)
    matrix[:, columns] = 0.0
    return matrix


@dataclass
class ChurnModel:
    """What scores customers: calibrated classifiers (their mean probability), or a constant
    with the reason."""

    model_name: str
    #: The calibrated classifiers on the used features; none for a constant score.
    members: tuple[Member, ...]
    constant_probability: float
    fallback_reason: str | None
    calibration_method: str
    #: Median of each feature over the training snapshot: the "typical customer" of drivers.
    reference: dict[str, float] = field(default_factory=dict)
    #: Positions in FEATURE_NAMES of the features the classifiers were fitted on.
    used: tuple[int, ...] = ()

    @property
    def is_trained(self) -> bool:
        return len(self.members) > 0

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Churn probability of each row of `features` (columns FEATURE_NAMES)."""
        return self.predict_matrix(feature_matrix(features))

    def predict_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Churn probability of each row of a FEATURE_NAMES matrix."""
        if not self.is_trained:
            return np.full(len(matrix), self.constant_probability, dtype=float)
        if len(matrix) == 0:
            return np.empty(0, dtype=float)
        used = matrix[:, list(self.used)]
        return _mean([m.calibrator(m.decision(used)) for m in self.members])

    def what_if(self, matrix: np.ndarray) -> ProbabilityWhatIf:
        """What-if churn probabilities on the rows of a FEATURE_NAMES matrix."""
        used = matrix[:, list(self.used)]
        with single_threaded():
            return ProbabilityWhatIf(self.members, [m.what_if(used) for m in self.members])

    def reference_of(self, position: int) -> float:
        """The typical value of the used feature at `position` in self.used."""
        return self.reference.get(FEATURE_NAMES[self.used[position]], math.nan)


def _mean(probabilities: list[np.ndarray]) -> np.ndarray:
    """Mean of the members' probabilities, summed in member order."""
    total = probabilities[0].copy()
    for p in probabilities[1:]:
        total += p
    return total / len(probabilities)


class ProbabilityWhatIf:
    """A model's churn probabilities on fixed rows, and with one used feature replaced
    (positions in ChurnModel.used)."""

    def __init__(self, members: tuple[Member, ...], engines: list[WhatIf]) -> None:
        self.calibrators = [m.calibrator for m in members]
        self.engines = engines
        self.probability = self._calibrated([e.decision for e in engines])

    def _calibrated(self, decisions: list[np.ndarray]) -> np.ndarray:
        return _mean([c(d) for c, d in zip(self.calibrators, decisions, strict=True)])

    def with_constant(self, column: int, value: float) -> np.ndarray:
        return self._calibrated([e.with_constant(column, value) for e in self.engines])

    def with_rows(self, column: int, order: np.ndarray) -> np.ndarray:
        return self._calibrated([e.with_rows(column, order) for e in self.engines])
