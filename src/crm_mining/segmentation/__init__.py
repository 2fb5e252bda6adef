"""Customer segmentation: feature transform, k by silhouette, k-means, stable ids and personas.

Pure, typed helpers of the segmentation Python models (python_models/segments/); every one takes
and returns plain pandas / numpy objects and is tested on small frames
(tests/pytest/test_segments_helpers.py). The formulas are documented once in docs/segments.md.
Modules: ``settings`` (the vars), ``features`` (steps 1-2), ``fitting`` (steps 3-5),
``outputs`` (the tables the models return) and ``personas`` (names and descriptions).

Pipeline (``fit_segmentation``):

1. ``transform_features``: each clustering feature of int_segment_features_prepared through its
   transform (``FEATURE_TRANSFORMS``: log1p for skewed counts and durations, signed log1p for
   money, square root for the share of spend returned; category shares as they are).
2. ``fit_scaling``: features that carry no information are left out, each with its reason (no
   customer has a value, or every customer has the same one: no returns, no categories, one
   customer, identical customers); the rest are standardised (population standard deviation);
   the category shares share one pooled scale so that a rare category does not weigh as much
   as a common one; every value is then clipped to [-clip, clip] standard deviations so that a
   handful of extreme customers cannot form a segment of their own.
3. ``choose_k``: on a fixed-seed sample of at most ``sample_size`` customers, k-means with
   ``n_init`` restarts for every k from ``k_min`` to ``k_max`` that the sample allows
   (k <= distinct profiles - 1), silhouette of each; the best silhouette wins (ties: smaller k).
4. Final centroids: the sample fit itself when the sample is every customer; else k-means on
   every customer started from the sample's centroids (``MiniBatchKMeans`` above
   ``minibatch_threshold`` customers).
5. ``order_segments``: segment ids 1..k by mean monetary (descending), then size (descending),
   then smallest customer_id: ids do not depend on k-means' internal numbering.

Fewer than ``k_min + 1`` distinct customer profiles (one customer, identical customers,
constant features): one segment holding every customer, and ``fallback_reason`` says why. No
customers: no segment. Same input (in any row order), same settings: same output.
"""

from crm_mining.segmentation.features import (
    FEATURE_TRANSFORMS,
    SHARE_PREFIX,
    FeatureScaling,
    apply_scaling,
    fit_scaling,
    share_columns,
    transform_features,
)
from crm_mining.segmentation.fitting import (
    SILHOUETTE_DECIMALS,
    KEvaluation,
    SegmentationModel,
    best_k,
    choose_k,
    count_distinct_rows,
    feasible_ks,
    fit_segmentation,
    nearest_centroid,
    order_segments,
    refine_centroids,
    sample_rows,
)
from crm_mining.segmentation.outputs import (
    DISTANCE_DECIMALS,
    assign_segments,
    k_evaluations_frame,
    model_frame,
)
from crm_mining.segmentation.personas import (
    PROFILE_FIGURES,
    SINGLE_SEGMENT_NAME,
    name_personas,
    persona_base_name,
    persona_description,
)
from crm_mining.segmentation.settings import SegmentationSettings

__all__ = [
    "DISTANCE_DECIMALS",
    "FEATURE_TRANSFORMS",
    "PROFILE_FIGURES",
    "SHARE_PREFIX",
    "SILHOUETTE_DECIMALS",
    "SINGLE_SEGMENT_NAME",
    "FeatureScaling",
    "KEvaluation",
    "SegmentationModel",
    "SegmentationSettings",
    "apply_scaling",
    "assign_segments",
    "best_k",
    "choose_k",
    "count_distinct_rows",
    "feasible_ks",
    "fit_scaling",
    "fit_segmentation",
    "k_evaluations_frame",
    "model_frame",
    "name_personas",
    "nearest_centroid",
    "order_segments",
    "persona_base_name",
    "persona_description",
    "refine_centroids",
    "sample_rows",
    "share_columns",
    "transform_features",
]
