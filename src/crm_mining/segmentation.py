"""Customer segmentation: feature transform, k by silhouette, k-means, stable ids and personas.

Pure, typed helpers of the segmentation Python models (python_models/segments/); every one takes
and returns plain pandas / numpy objects and is tested on small frames
(tests/pytest/test_segments_helpers.py). The formulas are documented once in docs/segments.md.

Pipeline (``fit_segmentation``):

1. ``transform_features``: each clustering feature of int_segment_features_prepared through its
   transform (``FEATURE_TRANSFORMS``: log1p for skewed counts and durations, signed log1p for
   money, square root for the return rate; category shares as they are).
2. ``fit_scaling``: standardise (population standard deviation); the category shares share one
   pooled scale so that a rare category does not weigh as much as a common one; features that
   are constant over the customers are dropped; every value is then clipped to
   [-clip, clip] standard deviations so that a handful of extreme customers cannot form a
   segment of their own.
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

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from crm_mining._sklearn import KMeans, MiniBatchKMeans, silhouette_score

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
    "return_rate": "sqrt",
    "days_per_order": "log1p",
}

#: Decimals of distance_to_centroid (and of the persona figures): two runs agree exactly even
#: if multithreaded BLAS sums the same numbers in another order.
DISTANCE_DECIMALS = 6

#: Batch size of MiniBatchKMeans (above minibatch_threshold customers).
MINIBATCH_SIZE = 8192


@dataclass(frozen=True)
class SegmentationSettings:
    """Tunables of the segmentation (the vars segment_* and random_seed of dbt_project.yml)."""

    k_min: int = 3
    k_max: int = 8
    sample_size: int = 5_000
    minibatch_threshold: int = 1_000_000
    n_init: int = 10
    clip: float = 3.0
    random_seed: int = 42

    def __post_init__(self) -> None:
        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(
                "crm_mining: vars segment_k_min and segment_k_max must satisfy "
                f"2 <= segment_k_min <= segment_k_max, got {self.k_min} and {self.k_max}."
            )
        if self.sample_size < 3:
            raise ValueError(
                f"crm_mining: var segment_sample_size must be at least 3, got {self.sample_size}."
            )
        if self.minibatch_threshold < 1:
            raise ValueError(
                "crm_mining: var segment_minibatch_threshold must be at least 1, got "
                f"{self.minibatch_threshold}."
            )
        if self.n_init < 1:
            raise ValueError(f"crm_mining: var segment_n_init must be >= 1, got {self.n_init}.")
        if not self.clip > 0:
            raise ValueError(f"crm_mining: the clip must be positive, got {self.clip}.")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SegmentationSettings:
        """Settings from the model config (values arrive as strings from the YAML)."""

        def integer(key: str, default: int) -> int:
            value = config.get(key)
            if value is None or value == "":
                return default
            number = float(value)
            if number != int(number):
                raise ValueError(f"crm_mining: var {key} must be an integer, got '{value}'.")
            return int(number)

        defaults = cls.__dataclass_fields__
        return cls(
            k_min=integer("segment_k_min", defaults["k_min"].default),
            k_max=integer("segment_k_max", defaults["k_max"].default),
            sample_size=integer("segment_sample_size", defaults["sample_size"].default),
            minibatch_threshold=integer(
                "segment_minibatch_threshold", defaults["minibatch_threshold"].default
            ),
            n_init=integer("segment_n_init", defaults["n_init"].default),
            random_seed=integer("random_seed", defaults["random_seed"].default),
        )


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def share_columns(features: pd.DataFrame) -> list[str]:
    """The category share columns of a feature frame, by category rank (1, 2, ...)."""
    shares = [c for c in features.columns if c.startswith(SHARE_PREFIX)]
    return sorted(shares, key=lambda c: int(c[len(SHARE_PREFIX) :]))


def transform_features(features: pd.DataFrame) -> pd.DataFrame:
    """The clustering features of `features` after their transform, as float64 columns.

    In: a frame with customer_id, the columns of FEATURE_TRANSFORMS and any number of
    share_spend_category_<rank> columns (no nulls expected; a null counts as 0).
    Out: same row order, columns FEATURE_TRANSFORMS then the share columns by rank.
    """
    columns: dict[str, np.ndarray] = {}
    for name, transform in FEATURE_TRANSFORMS.items():
        values = features[name].to_numpy(dtype=float, na_value=0.0)
        if transform == "log1p":
            values = np.log1p(np.maximum(values, 0.0))
        elif transform == "signed_log1p":
            values = np.sign(values) * np.log1p(np.abs(values))
        elif transform == "sqrt":
            values = np.sqrt(np.clip(values, 0.0, None))
        columns[name] = values
    for name in share_columns(features):
        columns[name] = features[name].to_numpy(dtype=float, na_value=0.0)
    return pd.DataFrame(columns, index=features.index)


@dataclass
class FeatureScaling:
    """How transformed features become clustering coordinates: (value - center) / scale,
    clipped to [-clip, clip]. Only the features in `features` are used (in that order)."""

    features: list[str]
    centers: list[float]
    scales: list[float]
    dropped_constant: list[str]
    clip: float


def fit_scaling(transformed: pd.DataFrame, clip: float) -> FeatureScaling:
    """Centers and scales of the transformed features (see the module docstring).

    A feature whose values are all equal is dropped (listed in dropped_constant). Share
    columns are centered on their own mean and divided by one pooled standard deviation,
    sqrt(mean of the variances of the non-constant share columns).
    """
    used: list[str] = []
    centers: list[float] = []
    scales: list[float] = []
    dropped: list[str] = []
    constant = {
        name: len(values) == 0 or values.min() == values.max()
        for name, values in ((c, transformed[c].to_numpy()) for c in transformed.columns)
    }
    varying_shares = [c for c in transformed.columns if c.startswith(SHARE_PREFIX)]
    varying_shares = [c for c in varying_shares if not constant[c]]
    pooled = (
        math.sqrt(float(np.mean([transformed[c].to_numpy().var() for c in varying_shares])))
        if varying_shares
        else 1.0
    )
    for name in transformed.columns:
        if constant[name]:
            dropped.append(name)
            continue
        values = transformed[name].to_numpy()
        used.append(name)
        centers.append(float(values.mean()))
        scales.append(pooled if name.startswith(SHARE_PREFIX) else float(values.std()))
    return FeatureScaling(used, centers, scales, dropped, clip)


def apply_scaling(transformed: pd.DataFrame, scaling: FeatureScaling) -> np.ndarray:
    """The clustering matrix (rows as in `transformed`, columns scaling.features)."""
    if not scaling.features:
        return np.zeros((len(transformed), 0))
    matrix = transformed[scaling.features].to_numpy(dtype=float)
    matrix = (matrix - np.asarray(scaling.centers)) / np.asarray(scaling.scales)
    return np.clip(matrix, -scaling.clip, scaling.clip)


# --------------------------------------------------------------------------------------------
# Choosing k and fitting
# --------------------------------------------------------------------------------------------


@dataclass
class KEvaluation:
    """k-means with k clusters on the selection sample: silhouette and inertia there."""

    k: int
    silhouette: float
    inertia: float


def sample_rows(n_rows: int, sample_size: int, seed: int) -> np.ndarray:
    """Row positions of the selection sample, ascending: every row when n_rows <= sample_size,
    else sample_size rows drawn without replacement with numpy's generator seeded by seed."""
    if n_rows <= sample_size:
        return np.arange(n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=sample_size, replace=False))


def count_distinct_rows(matrix: np.ndarray) -> int:
    """Number of distinct rows of a matrix (0 for no rows; 1 for rows without columns)."""
    if len(matrix) == 0:
        return 0
    if matrix.shape[1] == 0:
        return 1
    return len(np.unique(matrix, axis=0))


def feasible_ks(settings: SegmentationSettings, distinct_profiles: int) -> list[int]:
    """The k of k_min..k_max that a silhouette can compare: 2 <= k <= distinct_profiles - 1."""
    return [k for k in range(settings.k_min, settings.k_max + 1) if k <= distinct_profiles - 1]


def _kmeans(k: int, settings: SegmentationSettings) -> KMeans:
    return KMeans(n_clusters=k, n_init=settings.n_init, random_state=settings.random_seed)


def choose_k(
    sample: np.ndarray, settings: SegmentationSettings
) -> tuple[list[KEvaluation], dict[int, np.ndarray]]:
    """Fit k-means for every feasible k on the sample; silhouette and inertia of each.

    Returns the evaluations (ascending k) and the centroids of each fit. The k-means fits
    run on one thread (faster on a small sample, and two runs give the same bits); the
    silhouette (pairwise distances, BLAS) on every core.
    """
    evaluations: list[KEvaluation] = []
    centroids: dict[int, np.ndarray] = {}
    for k in feasible_ks(settings, count_distinct_rows(sample)):
        with threadpool_limits(limits=1):
            fitted = _kmeans(k, settings).fit(sample)
        labels = fitted.labels_
        if not 2 <= len(np.unique(labels)) <= len(sample) - 1:
            continue
        silhouette = float(silhouette_score(sample, labels))
        evaluations.append(KEvaluation(k, silhouette, float(fitted.inertia_)))
        centroids[k] = fitted.cluster_centers_
    return evaluations, centroids


def best_k(evaluations: Sequence[KEvaluation]) -> int:
    """The k with the highest silhouette (ties: the smaller k)."""
    return min(evaluations, key=lambda e: (-e.silhouette, e.k)).k


def nearest_centroid(matrix: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centroid of every row (ties: the lower index) and its Euclidean
    distance, computed directly (no expansion of the square, so a row on its centroid gets
    exactly 0)."""
    best = np.zeros(len(matrix), dtype=np.int64)
    best_sq = np.full(len(matrix), np.inf)
    for index, centroid in enumerate(centroids):
        squared = ((matrix - centroid) ** 2).sum(axis=1)
        closer = squared < best_sq
        best[closer] = index
        best_sq[closer] = squared[closer]
    return best, np.sqrt(best_sq)


def refine_centroids(
    matrix: np.ndarray, start: np.ndarray, algorithm: str, seed: int
) -> np.ndarray:
    """Centroids of k-means ("kmeans": Lloyd, or "minibatch_kmeans") on every row, started from
    the sample's centroids `start` (one run). Single-threaded, so that two runs give the same
    bits (the parallel reductions of scikit-learn may add partial sums in another order)."""
    k = len(start)
    if algorithm == "kmeans":
        estimator: KMeans | MiniBatchKMeans = KMeans(
            n_clusters=k, init=start, n_init=1, random_state=seed
        )
    else:
        estimator = MiniBatchKMeans(
            n_clusters=k, init=start, n_init=1, batch_size=MINIBATCH_SIZE, random_state=seed
        )
    with threadpool_limits(limits=1):
        return estimator.fit(matrix).cluster_centers_


def order_segments(
    labels: np.ndarray, monetary: np.ndarray, customer_ids: np.ndarray, k: int
) -> np.ndarray:
    """Permutation p such that cluster p[0] becomes segment 1, p[1] segment 2, ...: by mean
    monetary (descending), then customer count (descending), then the smallest customer_id of
    the cluster. Clusters without customers go last, in index order."""
    frame = pd.DataFrame({"label": labels, "monetary": monetary, "customer_id": customer_ids})
    stats = frame.groupby("label").agg(
        mean_monetary=("monetary", "mean"),
        customers=("monetary", "size"),
        first_customer=("customer_id", "min"),
    )
    keys = []
    for label in range(k):
        if label in stats.index:
            row = stats.loc[label]
            keys.append(
                (0, -float(row["mean_monetary"]), -int(row["customers"]), row["first_customer"])
            )
        else:
            keys.append((1, 0.0, 0, str(label)))
    return np.array(sorted(range(k), key=lambda label: keys[label]), dtype=np.int64)


@dataclass
class SegmentationModel:
    """Everything int_segment_model_fitted stores (as JSON) for the downstream models."""

    customers_clustered: int
    sample_customers: int
    distinct_sample_profiles: int
    chosen_k: int
    algorithm: str
    scaling: FeatureScaling
    centroids: list[list[float]]
    evaluations: list[KEvaluation] = field(default_factory=list)
    inertia: float | None = None
    fallback_reason: str | None = None
    settings: SegmentationSettings = field(default_factory=SegmentationSettings)

    def to_json(self) -> str:
        """The model as JSON (floats round-trip exactly)."""
        return json.dumps(asdict(self), sort_keys=True, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> SegmentationModel:
        """Inverse of to_json."""
        data = json.loads(text)
        data["scaling"] = FeatureScaling(**data["scaling"])
        data["evaluations"] = [KEvaluation(**e) for e in data["evaluations"]]
        data["settings"] = SegmentationSettings(**data["settings"])
        return cls(**data)

    @property
    def chosen_silhouette(self) -> float | None:
        """Silhouette of the chosen k on the sample (None without a silhouette)."""
        for evaluation in self.evaluations:
            if evaluation.k == self.chosen_k:
                return evaluation.silhouette
        return None


def _sorted_features(features: pd.DataFrame) -> pd.DataFrame:
    """Rows by customer_id, so that the result never depends on the input's row order."""
    if features["customer_id"].duplicated().any():
        raise ValueError("crm_mining: the segmentation features hold a customer twice.")
    return features.sort_values("customer_id", kind="stable").reset_index(drop=True)


def fit_segmentation(features: pd.DataFrame, settings: SegmentationSettings) -> SegmentationModel:
    """Choose k and fit the segments of every customer of `features` (module docstring)."""
    features = _sorted_features(features)
    n_rows = len(features)
    transformed = transform_features(features)
    scaling = fit_scaling(transformed, settings.clip)
    matrix = apply_scaling(transformed, scaling)
    rows = sample_rows(n_rows, settings.sample_size, settings.random_seed)
    sample = matrix[rows]
    distinct = count_distinct_rows(sample)
    common = {
        "customers_clustered": n_rows,
        "sample_customers": len(rows),
        "distinct_sample_profiles": distinct,
        "scaling": scaling,
        "settings": settings,
    }
    if n_rows == 0:
        return SegmentationModel(
            chosen_k=0,
            algorithm="none",
            centroids=[],
            fallback_reason="no customers: no customer has a purchase order before as_of_date",
            **common,
        )
    evaluations, sample_centroids = choose_k(sample, settings)
    if not evaluations:
        centroid = matrix.mean(axis=0) if matrix.shape[1] else np.zeros(0)
        _, distances = nearest_centroid(matrix, centroid[None, :])
        return SegmentationModel(
            chosen_k=1,
            algorithm="single_segment",
            centroids=[centroid.tolist()],
            inertia=float((distances**2).sum()),
            fallback_reason=(
                f"{distinct} distinct customer profile(s) in the sample of {len(rows)} "
                f"customer(s): a silhouette needs at least segment_k_min + 1 = "
                f"{settings.k_min + 1}; every customer is in one segment"
            ),
            **common,
        )
    k = best_k(evaluations)
    centroids = sample_centroids[k]
    if len(rows) == n_rows:
        algorithm = "kmeans"
    else:
        algorithm = "kmeans" if n_rows <= settings.minibatch_threshold else "minibatch_kmeans"
        centroids = refine_centroids(matrix, centroids, algorithm, settings.random_seed)
    labels, distances = nearest_centroid(matrix, centroids)
    order = order_segments(
        labels,
        features["monetary"].to_numpy(dtype=float),
        features["customer_id"].to_numpy(dtype=object),
        k,
    )
    return SegmentationModel(
        chosen_k=k,
        algorithm=algorithm,
        centroids=np.asarray(centroids)[order].tolist(),
        evaluations=evaluations,
        inertia=float((distances**2).sum()),
        **common,
    )


def assign_segments(features: pd.DataFrame, model: SegmentationModel) -> pd.DataFrame:
    """One row per customer of `features` (by customer_id): segment_id (1..chosen_k, the
    nearest centroid) and distance_to_centroid (Euclidean, in the scaled feature space,
    rounded to DISTANCE_DECIMALS)."""
    features = _sorted_features(features)
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
            "features_dropped": pd.Series(
                [", ".join(model.scaling.dropped_constant)], dtype="string"
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


# --------------------------------------------------------------------------------------------
# Personas
# --------------------------------------------------------------------------------------------

#: Columns of int_segments_profiled that name_personas reads: each avg_<x> is the segment's
#: mean and base_avg_<x> the mean over every clustered customer.
PROFILE_FIGURES = (
    "monetary",
    "frequency",
    "recency_days",
    "days_between_orders",
    "return_rate",
)

#: Thresholds of the persona names (segment mean / base mean), documented in docs/segments.md.
HIGH_VALUE_SPEND_RATIO = 2.0
BUDGET_SPEND_RATIO = 0.5
LAPSED_RECENCY_RATIO = 1.5
REGULAR_FREQUENCY_RATIO = 1.5
OCCASIONAL_FREQUENCY_RATIO = 0.67
ONE_TIMER_MAX_ORDERS = 1.5
DOMINANT_CATEGORY_SHARE = 0.5
FOCUS_CATEGORY_SHARE = 0.3
FOCUS_CATEGORY_LIFT = 2.0
NOTABLE_RETURN_RATE = 0.03
NOTABLE_RETURN_RATIO = 1.5
#: Category values never used in a name (they say nothing about the customers).
UNNAMED_CATEGORIES = frozenset({"Uncategorized"})
SINGLE_SEGMENT_NAME = "All customers"
#: The multiplication sign of "4.2\u00d7 the average".
TIMES = "\u00d7"


def _ratio(value: float, base: float) -> float:
    """value / base, or 1 when the base is not positive or either side is missing."""
    if value is None or base is None or pd.isna(value) or pd.isna(base) or base <= 0:
        return 1.0
    return float(value) / float(base)


def _number(value: float, decimals: int = 0) -> str:
    """A figure with thousands separators (e.g. 9,412 or 1.4)."""
    return f"{value:,.{decimals}f}"


def persona_base_name(segment: Mapping[str, Any]) -> str:
    """The name of one segment before names are made distinct: [adjective] [category] noun.

    noun: "one-timers" when the segment's mean orders per customer is below
    ONE_TIMER_MAX_ORDERS, "regulars" when it is at least REGULAR_FREQUENCY_RATIO times the
    base mean, else "shoppers". adjective (the first that applies): "Lapsed" (mean recency
    >= LAPSED_RECENCY_RATIO x base), "High-value" (mean spend >= HIGH_VALUE_SPEND_RATIO x
    base), "Occasional" (not one-timers, mean orders <= OCCASIONAL_FREQUENCY_RATIO x base),
    "Budget" (mean spend <= BUDGET_SPEND_RATIO x base). category: the segment's top category
    when it takes at least DOMINANT_CATEGORY_SHARE of the segment's spend, or at least
    FOCUS_CATEGORY_SHARE and FOCUS_CATEGORY_LIFT times its share over all customers.
    """
    frequency = float(segment["avg_frequency"])
    frequency_ratio = _ratio(frequency, segment["base_avg_frequency"])
    spend_ratio = _ratio(segment["avg_monetary"], segment["base_avg_monetary"])
    recency_ratio = _ratio(segment["avg_recency_days"], segment["base_avg_recency_days"])
    if frequency < ONE_TIMER_MAX_ORDERS:
        noun = "one-timers"
    elif frequency_ratio >= REGULAR_FREQUENCY_RATIO:
        noun = "regulars"
    else:
        noun = "shoppers"
    if recency_ratio >= LAPSED_RECENCY_RATIO:
        adjective = "Lapsed"
    elif spend_ratio >= HIGH_VALUE_SPEND_RATIO:
        adjective = "High-value"
    elif noun != "one-timers" and frequency_ratio <= OCCASIONAL_FREQUENCY_RATIO:
        adjective = "Occasional"
    elif spend_ratio <= BUDGET_SPEND_RATIO:
        adjective = "Budget"
    else:
        adjective = ""
    category = segment.get("top_category")
    share = segment.get("top_category_spend_share")
    base_share = segment.get("top_category_base_spend_share")
    show_category = (
        isinstance(category, str)
        and category not in UNNAMED_CATEGORIES
        and share is not None
        and not pd.isna(share)
        and (
            share >= DOMINANT_CATEGORY_SHARE
            or (share >= FOCUS_CATEGORY_SHARE and _ratio(share, base_share) >= FOCUS_CATEGORY_LIFT)
        )
    )
    words = [adjective, category if show_category else "", noun]
    name = " ".join(word for word in words if word)
    return name[0].upper() + name[1:]


def _distinct_names(base_names: Sequence[str]) -> list[str]:
    """Make equal names distinct by spend: segments are numbered by mean spend (descending),
    so among n segments sharing a name the first is the "higher spend" one: 2 get "(higher
    spend)" / "(lower spend)", 3 also "(middle spend)", more get "(spend rank i of n)"."""
    names = list(base_names)
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(base_names):
        positions.setdefault(name, []).append(position)
    for name, where in positions.items():
        if len(where) == 1:
            continue
        if len(where) == 2:
            labels = ["higher spend", "lower spend"]
        elif len(where) == 3:
            labels = ["higher spend", "middle spend", "lower spend"]
        else:
            labels = [f"spend rank {i} of {len(where)}" for i in range(1, len(where) + 1)]
        for position, label in zip(where, labels, strict=True):
            names[position] = f"{name} ({label})"
    return names


def persona_description(segment: Mapping[str, Any], single_segment: bool = False) -> str:
    """One or two sentences on what sets the segment apart, each figure beside the same
    figure over all customers (see docs/segments.md for the exact template)."""
    count = int(segment["customer_count"])
    share = float(segment["customer_share"])
    parts: list[str] = []
    spend, base_spend = segment["avg_monetary"], segment["base_avg_monetary"]
    if single_segment:
        head = (
            f"Every customer ({_number(count)}): too few distinct customers to compare "
            "segmentations, so one segment"
        )
        parts.append(f"average spend {_number(spend)}")
    else:
        head = f"{share:.0%} of customers ({_number(count)})"
        parts.append(
            f"spend {_ratio(spend, base_spend):.1f}{TIMES} the average customer "
            f"({_number(spend)} vs {_number(base_spend)})"
        )
    frequency, base_frequency = segment["avg_frequency"], segment["base_avg_frequency"]
    gap, base_gap = segment["avg_days_between_orders"], segment["base_avg_days_between_orders"]
    if frequency < 2 or gap is None or pd.isna(gap):
        parts.append(
            f"{_number(frequency, 1)} orders each on average"
            + ("" if single_segment else f" (all customers: {_number(base_frequency, 1)})")
        )
    else:
        parts.append(
            f"order every {_number(gap)} days"
            + (
                ""
                if single_segment or base_gap is None or pd.isna(base_gap)
                else f" (all customers: {_number(base_gap)})"
            )
        )
    category = segment.get("top_category")
    category_share = segment.get("top_category_spend_share")
    if isinstance(category, str) and category_share is not None and not pd.isna(category_share):
        base_share = segment.get("top_category_base_spend_share")
        parts.append(
            f"{category_share:.0%} of spend in {category}"
            + (
                ""
                if single_segment or base_share is None or pd.isna(base_share)
                else f" (all customers: {base_share:.0%})"
            )
        )
    returns, base_returns = segment["avg_return_rate"], segment["base_avg_return_rate"]
    if returns >= NOTABLE_RETURN_RATE and (
        single_segment or _ratio(returns, base_returns) >= NOTABLE_RETURN_RATIO
    ):
        parts.append(
            f"return {returns:.0%} of their spend"
            + ("" if single_segment else f" (all customers: {base_returns:.0%})")
        )
    recency, base_recency = segment["avg_recency_days"], segment["base_avg_recency_days"]
    parts.append(
        f"last order {_number(recency)} days ago on average"
        + ("" if single_segment else f" (all customers: {_number(base_recency)})")
    )
    body = "; ".join(parts)
    return f"{head}. {body[0].upper()}{body[1:]}."


def name_personas(profiles: pd.DataFrame) -> pd.DataFrame:
    """Persona name and description of every segment of int_segments_profiled.

    In: one row per segment with segment_id, customer_count, customer_share, avg_<figure> and
    base_avg_<figure> for PROFILE_FIGURES, top_category, top_category_spend_share and
    top_category_base_spend_share. Out: segment_id, persona_name (distinct), and
    persona_description, by segment_id. One segment: "All customers".
    """
    profiles = profiles.sort_values("segment_id").reset_index(drop=True)
    records = profiles.to_dict("records")
    single = len(records) == 1
    if single:
        names = [SINGLE_SEGMENT_NAME]
    else:
        names = _distinct_names([persona_base_name(record) for record in records])
    return pd.DataFrame(
        {
            "segment_id": profiles["segment_id"].astype("int64").to_numpy(),
            "persona_name": pd.Series(names, dtype="string"),
            "persona_description": pd.Series(
                [persona_description(record, single) for record in records], dtype="string"
            ),
        }
    )
