"""The churn model's input frames and the choices made on them before any fit: the feature
matrix, the training and scoring rows, the validation split, the fit sample and which features
carry information."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_mining._sklearn import train_test_split
from crm_mining.churn.settings import FEATURE_NAMES


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    """The FEATURE_NAMES columns as a float64 matrix (nulls become NaN; DECIMAL money and
    nullable integers are converted explicitly)."""
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


def stratified_sample(
    positions: np.ndarray, labels: np.ndarray, max_rows: int, random_seed: int
) -> np.ndarray:
    """At most max_rows of `positions` (sorted), drawn stratified by labels[positions] and
    seeded (plainly seeded when a class has fewer than 2 of them); all when not more."""
    if len(positions) <= max_rows:
        return np.sort(positions)
    strata = labels[positions]
    churned = int(strata.sum())
    stratify = strata if min(churned, len(strata) - churned) >= 2 else None
    kept, _ = train_test_split(
        positions, train_size=max_rows, stratify=stratify, random_state=random_seed
    )
    return np.sort(kept)


@dataclass(frozen=True)
class FeatureScreen:
    """Which features a model is fitted on, and why the others are left out."""

    #: Positions in FEATURE_NAMES of the features the model uses, in that order.
    used: tuple[int, ...]
    #: Feature name -> why it is left out, in FEATURE_NAMES order.
    left_out: dict[str, str]

    @property
    def used_names(self) -> tuple[str, ...]:
        return tuple(FEATURE_NAMES[j] for j in self.used)

    def describe_left_out(self) -> str:
        """'name (reason); ...' in feature order, '' when every feature is used."""
        return "; ".join(f"{name} ({reason})" for name, reason in self.left_out.items())


def screen_features(matrix: np.ndarray) -> FeatureScreen:
    """Keep the features that carry information in the fit rows `matrix` (FEATURE_NAMES columns).

    Left out: a feature with no observed value (null for every customer, e.g. the review
    features without a reviews file), and one with the same value for every customer (e.g.
    count_reviews = 0 everywhere). A feature observed for some customers only, with one value,
    is kept: whether it is known carries information.
    """
    used = []
    left_out = {}
    for position, name in enumerate(FEATURE_NAMES):
        column = matrix[:, position]
        observed = column[~np.isnan(column)]
        if len(observed) == 0:
            left_out[name] = "no observed value in the fit data"
        elif len(observed) == len(column) and np.all(observed == observed[0]):
            left_out[name] = f"the same value, {_plain(observed[0])}, for every customer"
        else:
            used.append(position)
    return FeatureScreen(used=tuple(used), left_out=left_out)


def _plain(value: float) -> str:
    """A number without a useless '.0'."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def reference_values(matrix: np.ndarray) -> dict[str, float]:
    """Median of each feature over the rows of `matrix` (NaN when it is always null): the
    "typical customer" of the drivers."""
    medians = {}
    for position, name in enumerate(FEATURE_NAMES):
        column = matrix[:, position]
        present = column[~np.isnan(column)]
        medians[name] = float(np.median(present)) if len(present) else math.nan
    return medians
