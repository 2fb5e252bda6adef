"""Exact what-if decision values of a fitted churn classifier: its decision value for every
row with one feature replaced, by a constant (the drivers: "this customer with a typical
value") or by the same feature of other rows (permutation importance).

Predicting a changed copy of the matrix for each feature costs one full prediction per
feature; for gradient boosting on a few hundred thousand customers that was most of the
scoring time. `TreeWhatIf` gets the same values from one pass over the trees:

- a tree of at most MAX_CODE_BITS split nodes sends a row to the leaf given by the row's
  split decisions, a code of one bit per split node; the tree's value for every code is
  tabulated once;
- the decisions a feature takes part in depend only on the interval of its value between the
  model's thresholds on that feature, so each (tree, feature) has a small table interval ->
  bits, and a row's code is the OR of its features' bits;
- replacing feature j replaces only j's bits: new code = (code & ~mask_j) | bits_j(new value),
  and only the trees that split on j change.

The decision values equal HistGradientBoostingClassifier.decision_function bit for bit (same
leaf values, added in the same order from the same baseline); with a feature replaced they
equal the prediction of the changed matrix up to rounding (the change is added as a sum of leaf
differences). Other models (logistic regression) use `MatrixWhatIf`, which predicts changed
copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from crm_mining._sklearn import HistGradientBoostingClassifier

#: Trees with more split nodes than this are not tabulated (2**bits values per tree).
MAX_CODE_BITS = 16


class WhatIf(Protocol):
    """Decision values of a model on fixed rows, and with one feature replaced."""

    #: Decision value of each row.
    decision: np.ndarray

    def with_constant(self, column: int, value: float) -> np.ndarray:
        """Decision values with feature `column` set to `value` in every row."""
        ...

    def with_rows(self, column: int, order: np.ndarray) -> np.ndarray:
        """Decision values with feature `column` of row i taken from row order[i]."""
        ...


class MatrixWhatIf:
    """Any estimator with decision_function: predicts a changed copy of the matrix."""

    def __init__(self, estimator: Any, matrix: np.ndarray) -> None:
        self.estimator = estimator
        self.matrix = matrix
        self.decision = estimator.decision_function(matrix)

    def _changed(self, column: int, values: Any) -> np.ndarray:
        changed = self.matrix.copy()
        changed[:, column] = values
        return self.estimator.decision_function(changed)

    def with_constant(self, column: int, value: float) -> np.ndarray:
        return self._changed(column, value)

    def with_rows(self, column: int, order: np.ndarray) -> np.ndarray:
        return self._changed(column, self.matrix[order, column])


@dataclass
class _Tree:
    """One tabulated tree: its value per code and, per feature it splits on, its bits."""

    values: np.ndarray
    #: feature -> (bits per interval of the feature's value (last entry: missing), mask).
    bits: dict[int, tuple[np.ndarray, int]]


class CompiledTrees:
    """The trees of a fitted binary HistGradientBoostingClassifier on numeric features, as
    tables (see the module docstring)."""

    def __init__(self, estimator: HistGradientBoostingClassifier, n_features: int) -> None:
        predictors = [iteration[0] for iteration in estimator._predictors]
        self.baseline = float(np.ravel(estimator._baseline_prediction)[0])
        split_nodes = [p.nodes[p.nodes["is_leaf"] == 0] for p in predictors]
        self.thresholds = [
            np.unique(
                np.concatenate(
                    [nodes["num_threshold"][nodes["feature_idx"] == f] for nodes in split_nodes]
                )
            )
            for f in range(n_features)
        ]
        self.trees = [self._tabulate(p.nodes) for p in predictors]

    @staticmethod
    def supports(estimator: Any) -> bool:
        """True for a fitted binary HistGradientBoostingClassifier that can be tabulated."""
        if not isinstance(estimator, HistGradientBoostingClassifier):
            return False
        if getattr(estimator, "n_trees_per_iteration_", 0) != 1:
            return False
        for iteration in estimator._predictors:
            nodes = iteration[0].nodes
            if nodes["is_categorical"].any() or (nodes["is_leaf"] == 0).sum() > MAX_CODE_BITS:
                return False
        return True

    def _tabulate(self, nodes: np.ndarray) -> _Tree:
        split = np.flatnonzero(nodes["is_leaf"] == 0)
        position = np.full(len(nodes), -1, dtype=np.int64)
        position[split] = np.arange(len(split))
        # the value of every code: each code reaches the one leaf whose path it matches
        # (bit set = go left at that split node)
        codes = np.arange(2 ** len(split), dtype=np.int64)
        values = np.zeros(len(codes), dtype=np.float64)
        paths = [(0, 0, 0)]  # (node, mask of the path's bits, their values)
        while paths:
            node, mask, wanted = paths.pop()
            if nodes["is_leaf"][node]:
                values[(codes & mask) == wanted] = nodes["value"][node]
                continue
            bit = 1 << int(position[node])
            paths.append((int(nodes["left"][node]), mask | bit, wanted | bit))
            paths.append((int(nodes["right"][node]), mask | bit, wanted))
        bits: dict[int, tuple[np.ndarray, int]] = {}
        for f in np.unique(nodes["feature_idx"][split]).tolist():
            thresholds = self.thresholds[f]
            # interval i = number of thresholds below the value; the last entry: missing
            table = np.zeros(len(thresholds) + 2, dtype=np.uint16)
            mask = 0
            for m in split[nodes["feature_idx"][split] == f]:
                bit = 1 << int(position[m])
                q = int(np.searchsorted(thresholds, nodes["num_threshold"][m]))
                table[: q + 1] |= bit
                if nodes["missing_go_to_left"][m]:
                    table[-1] |= bit
                mask |= bit
            bits[f] = (table, mask)
        return _Tree(values=values, bits=bits)

    def intervals(self, values: np.ndarray, feature: int) -> np.ndarray:
        """Interval of each value between the feature's thresholds (missing: the last one)."""
        thresholds = self.thresholds[feature]
        found = np.searchsorted(thresholds, values, side="left")
        return np.where(np.isnan(values), len(thresholds) + 1, found).astype(np.int64)


class TreeWhatIf:
    """What-if decision values of a tabulated gradient boosting model on fixed rows."""

    def __init__(self, compiled: CompiledTrees, matrix: np.ndarray) -> None:
        self.compiled = compiled
        n = len(matrix)
        used = sorted({f for tree in compiled.trees for f in tree.bits})
        self.intervals = {f: compiled.intervals(matrix[:, f], f) for f in used}
        self.codes = []
        self.leaf_values = []
        decision = np.zeros(n) + compiled.baseline
        for tree in compiled.trees:
            code = np.zeros(n, dtype=np.uint16)
            for f, (table, _) in tree.bits.items():
                code |= table[self.intervals[f]]
            value = tree.values[code]
            self.codes.append(code)
            self.leaf_values.append(value)
            decision += value
        self.decision = decision

    def _replaced(self, column: int, intervals: np.ndarray | int) -> np.ndarray:
        change = np.zeros(len(self.decision))
        for tree, code, value in zip(
            self.compiled.trees, self.codes, self.leaf_values, strict=True
        ):
            if column not in tree.bits:
                continue
            table, mask = tree.bits[column]
            changed = (code & np.uint16(0xFFFF ^ mask)) | table[intervals]
            change += tree.values[changed] - value
        return self.decision + change

    def with_constant(self, column: int, value: float) -> np.ndarray:
        interval = int(self.compiled.intervals(np.array([value]), column)[0])
        return self._replaced(column, interval)

    def with_rows(self, column: int, order: np.ndarray) -> np.ndarray:
        if column not in self.intervals:
            return self.decision.copy()
        return self._replaced(column, self.intervals[column][order])


def what_if(estimator: Any, matrix: np.ndarray, compiled: CompiledTrees | None = None) -> WhatIf:
    """The what-if engine of `estimator` on `matrix` (its own feature columns): tabulated trees
    when `compiled` is given, else changed copies."""
    if compiled is not None:
        return TreeWhatIf(compiled, matrix)
    return MatrixWhatIf(estimator, matrix)
