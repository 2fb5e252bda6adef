"""Clustering coordinates from the features of int_segment_features_prepared.

``transform_features`` puts each feature through its transform (``FEATURE_TRANSFORMS``);
``fit_scaling`` leaves out the features that carry no information (no observed value, or one
value for every customer: the reason of each is kept for the model metrics) and standardises
the rest; ``apply_scaling`` turns transformed features into the clipped clustering matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Prefix of the category share columns of int_segment_features_prepared (1 = the category
#: with the most purchase spend over all customers, see int_segment_categories_ranked).
SHARE_PREFIX = "share_spend_category_"

#: Clustering features (columns of int_segment_features_prepared) and their transform.
FEATURE_TRANSFORMS: dict[str, str] = {
    "recency_days": "log1p",
    "frequency": "log1p",
    "monetary": "signed_log1p",
    "avg_order_value": "signed_log1p",
    "tenure_days": "identity",
    "avg_basket_units": "log1p",
    "count_distinct_categories": "log1p",
    "share_spend_returned": "sqrt",
    "days_per_order": "log1p",
}


def share_columns(features: pd.DataFrame) -> list[str]:
    """The category share columns of a feature frame, by category rank (1, 2, ...)."""
    shares = [c for c in features.columns if c.startswith(SHARE_PREFIX)]
    return sorted(shares, key=lambda c: int(c[len(SHARE_PREFIX) :]))


def _as_float(column: pd.Series) -> np.ndarray:
    """A numeric column as float64, nulls as NaN (money may arrive as Decimal objects)."""
    return pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()


def transform_features(features: pd.DataFrame) -> pd.DataFrame:
    """The clustering features of `features` after their transform, as float64 columns.

    In: a frame with customer_id, the columns of FEATURE_TRANSFORMS and any number of
    share_spend_category_<rank> columns (numbers, Decimal objects included). Out: same row
    order, columns FEATURE_TRANSFORMS then the share columns by rank; a null stays NaN.
    """
    columns: dict[str, np.ndarray] = {}
    for name, transform in FEATURE_TRANSFORMS.items():
        values = _as_float(features[name])
        if transform == "log1p":
            values = np.log1p(np.maximum(values, 0.0))
        elif transform == "signed_log1p":
            values = np.sign(values) * np.log1p(np.abs(values))
        elif transform == "sqrt":
            values = np.sqrt(np.clip(values, 0.0, None))
        columns[name] = values
    for name in share_columns(features):
        columns[name] = _as_float(features[name])
    return pd.DataFrame(columns, index=features.index)


@dataclass
class FeatureScaling:
    """How transformed features become clustering coordinates: (value - center) / scale,
    clipped to [-clip, clip]; a null counts as the center. Only the features in `features`
    are used (in that order); the others are in dropped_constant (one value for every
    customer) or dropped_unobserved (no customer has a value), with a sentence each in
    drop_reasons."""

    features: list[str]
    centers: list[float]
    scales: list[float]
    dropped_constant: list[str]
    clip: float
    dropped_unobserved: list[str] = field(default_factory=list)
    drop_reasons: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> list[str]:
        """Every feature left out, in feature order."""
        left_out = set(self.dropped_constant) | set(self.dropped_unobserved)
        order = list(FEATURE_TRANSFORMS)
        return sorted(
            left_out,
            key=lambda name: (
                (0, order.index(name), 0)
                if name in FEATURE_TRANSFORMS
                else (1, 0, int(name[len(SHARE_PREFIX) :]))
            ),
        )


def _value_text(values: np.ndarray) -> str:
    """The one value of a constant column, short (e.g. 0, 1, 12.5)."""
    return f"{float(values[~np.isnan(values)][0]):g}"


def fit_scaling(
    transformed: pd.DataFrame, clip: float, raw: pd.DataFrame | None = None
) -> FeatureScaling:
    """Centers and scales of the transformed features (see the module docstring).

    A feature without any observed value (every value null) or whose observed values are all
    equal is dropped, with its reason (naming its value in `raw`, the untransformed features,
    when given). Share columns are centered on their own mean and divided by one pooled
    standard deviation, sqrt(mean of the variances of the kept share columns). Nulls of a kept
    feature are left out of its mean and standard deviation.
    """
    used: list[str] = []
    centers: list[float] = []
    scales: list[float] = []
    constant: list[str] = []
    unobserved: list[str] = []
    reasons: list[str] = []
    for name in transformed.columns:
        values = transformed[name].to_numpy(dtype=float)
        observed = values[~np.isnan(values)]
        if len(observed) == 0:
            unobserved.append(name)
            reasons.append(f"{name}: no customer has a value")
        elif observed.min() == observed.max():
            constant.append(name)
            shown = _as_float(raw[name]) if raw is not None and name in raw else None
            value = _value_text(shown) if shown is not None else "the same value"
            reasons.append(f"{name}: {value} for every customer")
    kept = [c for c in transformed.columns if c not in constant and c not in unobserved]
    kept_shares = [c for c in kept if c.startswith(SHARE_PREFIX)]
    pooled = (
        math.sqrt(float(np.mean([np.nanvar(transformed[c].to_numpy()) for c in kept_shares])))
        if kept_shares
        else 1.0
    )
    for name in kept:
        values = transformed[name].to_numpy(dtype=float)
        used.append(name)
        centers.append(float(np.nanmean(values)))
        scales.append(pooled if name.startswith(SHARE_PREFIX) else float(np.nanstd(values)))
    return FeatureScaling(used, centers, scales, constant, clip, unobserved, reasons)


def apply_scaling(transformed: pd.DataFrame, scaling: FeatureScaling) -> np.ndarray:
    """The clustering matrix (rows as in `transformed`, columns scaling.features)."""
    if not scaling.features:
        return np.zeros((len(transformed), 0))
    matrix = transformed[scaling.features].to_numpy(dtype=float)
    matrix = (matrix - np.asarray(scaling.centers)) / np.asarray(scaling.scales)
    return np.clip(np.nan_to_num(matrix, nan=0.0), -scaling.clip, scaling.clip)
