"""The tables the segmentation Python models return, from a fitted SegmentationModel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_mining.segmentation.features import apply_scaling, transform_features
from crm_mining.segmentation.fitting import (
    SegmentationModel,
    nearest_centroid,
    sorted_features,
)

#: Decimals of distance_to_centroid: two runs agree exactly even if multithreaded BLAS sums
#: the same numbers in another order.
DISTANCE_DECIMALS = 6


def assign_segments(features: pd.DataFrame, model: SegmentationModel) -> pd.DataFrame:
    """One row per customer of `features` (by customer_id): segment_id (1..chosen_k, the
    nearest centroid) and distance_to_centroid (Euclidean, in the scaled feature space,
    rounded to DISTANCE_DECIMALS)."""
    features = sorted_features(features)
    if model.chosen_k == 0 or len(features) == 0:
        return pd.DataFrame(
            {
                "customer_id": pd.Series([], dtype="string"),
                "segment_id": pd.Series([], dtype="int64"),
                "distance_to_centroid": pd.Series([], dtype="float64"),
            }
        )
    matrix = apply_scaling(transform_features(features), model.scaling)
    centroids = np.asarray(model.centroids, dtype=float).reshape(model.chosen_k, -1)
    labels, distances = nearest_centroid(matrix, centroids)
    return pd.DataFrame(
        {
            "customer_id": pd.array(
                features["customer_id"].astype("object").to_numpy(), dtype="string"
            ),
            "segment_id": (labels + 1).astype("int64"),
            "distance_to_centroid": np.round(distances, DISTANCE_DECIMALS).astype("float64"),
        }
    )


def model_frame(model: SegmentationModel) -> pd.DataFrame:
    """The one row of int_segment_model_fitted (run-level figures and the model as JSON)."""
    silhouette = model.chosen_silhouette
    return pd.DataFrame(
        {
            "chosen_k": pd.Series([model.chosen_k], dtype="int64"),
            "algorithm": pd.Series([model.algorithm], dtype="string"),
            "chosen_silhouette": pd.Series([silhouette], dtype="float64"),
            "inertia": pd.Series([model.inertia], dtype="float64"),
            "customers_clustered": pd.Series([model.customers_clustered], dtype="int64"),
            "sample_customers": pd.Series([model.sample_customers], dtype="int64"),
            "distinct_sample_profiles": pd.Series([model.distinct_sample_profiles], dtype="int64"),
            "feature_count": pd.Series([len(model.scaling.features)], dtype="int64"),
            "features_used": pd.Series([", ".join(model.scaling.features)], dtype="string"),
            "features_dropped": pd.Series([", ".join(model.scaling.dropped)], dtype="string"),
            "feature_drop_reasons": pd.Series(
                ["; ".join(model.scaling.drop_reasons)], dtype="string"
            ),
            "fallback_reason": pd.Series([model.fallback_reason], dtype="string"),
            "n_init": pd.Series([model.settings.n_init], dtype="int64"),
            "random_seed": pd.Series([model.settings.random_seed], dtype="int64"),
            "model_json": pd.Series([model.to_json()], dtype="string"),
        }
    )


def k_evaluations_frame(model: SegmentationModel) -> pd.DataFrame:
    """One row per k from segment_k_min to segment_k_max: whether it was evaluated, its
    silhouette and inertia on the sample (null when not evaluated), whether it was chosen."""
    evaluated = {e.k: e for e in model.evaluations}
    ks = list(range(model.settings.k_min, model.settings.k_max + 1))
    return pd.DataFrame(
        {
            "k": pd.Series(ks, dtype="int64"),
            "is_k_evaluated": pd.Series([k in evaluated for k in ks], dtype="bool"),
            "silhouette": pd.Series(
                [evaluated[k].silhouette if k in evaluated else None for k in ks],
                dtype="float64",
            ),
            "sample_inertia": pd.Series(
                [evaluated[k].inertia if k in evaluated else None for k in ks], dtype="float64"
            ),
            "is_chosen_k": pd.Series([k == model.chosen_k for k in ks], dtype="bool"),
        }
    )
