"""Choosing k and fitting the segments (steps 3 to 5 of the pipeline in the package docstring).

``choose_k`` fits k-means for every feasible k on a fixed-seed sample and scores each with its
silhouette; ``fit_segmentation`` picks the best k, refines its centroids on every customer and
numbers the segments by mean spend (``order_segments``), so that ids never depend on k-means'
internal numbering. The k-means fits run on one thread: two runs give the same bits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from crm_mining._sklearn import KMeans, MiniBatchKMeans, silhouette_score
from crm_mining.segmentation.features import (
    FeatureScaling,
    apply_scaling,
    fit_scaling,
    transform_features,
)
from crm_mining.segmentation.settings import SegmentationSettings

#: Decimals of the silhouettes: the pairwise distances behind them run on multithreaded BLAS,
#: whose partial sums may be added in another order on another machine or thread count; the
#: rounded value is the one compared, so the chosen k does not depend on that order, unless a
#: silhouette lies within a few last bits of a rounding boundary (odds of about 1e-9 per k).
SILHOUETTE_DECIMALS = 6

#: Batch size of MiniBatchKMeans (above minibatch_threshold customers).
MINIBATCH_SIZE = 8192


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
    silhouette (pairwise distances, BLAS) on every core, rounded to SILHOUETTE_DECIMALS.
    """
    evaluations: list[KEvaluation] = []
    centroids: dict[int, np.ndarray] = {}
    for k in feasible_ks(settings, count_distinct_rows(sample)):
        with threadpool_limits(limits=1):
            fitted = _kmeans(k, settings).fit(sample)
        labels = fitted.labels_
        if not 2 <= len(np.unique(labels)) <= len(sample) - 1:
            continue
        silhouette = round(float(silhouette_score(sample, labels)), SILHOUETTE_DECIMALS)
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
            keys.append((1, 0.0, 0, label))  # by index: 2 before 10
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
    settings: SegmentationSettings
    evaluations: list[KEvaluation] = field(default_factory=list)
    inertia: float | None = None
    fallback_reason: str | None = None

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


def sorted_features(features: pd.DataFrame) -> pd.DataFrame:
    """Rows by customer_id, so that the result never depends on the input's row order."""
    if features["customer_id"].duplicated().any():
        raise ValueError("crm_mining: the segmentation features hold a customer twice.")
    return features.sort_values("customer_id", kind="stable").reset_index(drop=True)


def fit_segmentation(features: pd.DataFrame, settings: SegmentationSettings) -> SegmentationModel:
    """Choose k and fit the segments of every customer of `features` (package docstring)."""
    features = sorted_features(features)
    n_rows = len(features)
    transformed = transform_features(features)
    scaling = fit_scaling(transformed, settings.clip, raw=features)
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
        features["monetary"].astype("float64").to_numpy(),
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
