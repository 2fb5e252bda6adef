"""Segmentation helpers (crm_mining.segmentation) on small hand-made frames: transforms and
scaling against direct numpy formulas, k choice and ids on planted blobs, every edge case
(no customer, one, fewer than k, constant and identical features), and persona naming."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_DIR
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from crm_mining.config import ConfigError
from crm_mining.segmentation import (
    SINGLE_SEGMENT_NAME,
    KEvaluation,
    SegmentationModel,
    SegmentationSettings,
    apply_scaling,
    assign_segments,
    best_k,
    fit_scaling,
    fit_segmentation,
    k_evaluations_frame,
    model_frame,
    name_personas,
    nearest_centroid,
    order_segments,
    sample_rows,
    transform_features,
)

SHARES = ["share_spend_category_1", "share_spend_category_2", "share_spend_category_3"]

#: Four planted kinds of customer:
#: (frequency, monetary, days_per_order, share_spend_returned, shares).
KINDS = {
    "big_electronics": (20, 9000.0, 18.0, 0.02, (0.85, 0.05, 0.10)),
    "grocery": (22, 600.0, 16.0, 0.01, (0.05, 0.90, 0.05)),
    "fashion": (4, 350.0, 95.0, 0.10, (0.05, 0.05, 0.90)),
    "one_timer": (1, 90.0, 500.0, 0.0, (0.30, 0.30, 0.40)),
}


def blob_features(per_kind: int = 60, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers of the four KINDS with multiplicative noise; returns features and kind index."""
    rng = np.random.default_rng(seed)
    rows = []
    kinds = []
    for index, (frequency, monetary, days, returns, shares) in enumerate(KINDS.values()):
        for _ in range(per_kind):
            noise = rng.lognormal(0, 0.15, 4)
            share = np.clip(np.asarray(shares) + rng.normal(0, 0.03, 3), 0, 1)
            share = share / share.sum()
            orders = max(1, round(frequency * noise[0]))
            rows.append(
                {
                    "recency_days": int(days * noise[1]) + 1,
                    "frequency": orders,
                    "monetary": monetary * noise[2],
                    "avg_order_value": monetary * noise[2] / orders,
                    "tenure_days": int(days * orders * noise[3]) + 1,
                    "avg_basket_units": 1 + rng.poisson(2),
                    "count_distinct_categories": 1 + rng.poisson(1),
                    "share_spend_returned": returns * noise[0] if returns else 0.0,
                    "days_per_order": days * noise[3],
                    **dict(zip(SHARES, share, strict=True)),
                }
            )
            kinds.append(index)
    frame = pd.DataFrame(rows)
    frame.insert(0, "customer_id", [f"{i:05d}" for i in range(len(frame))])
    return frame, np.asarray(kinds)


def constant_features(n: int) -> pd.DataFrame:
    """n customers that are all alike, except their ids."""
    frame, _ = blob_features(per_kind=1)
    row = frame.iloc[[0]]
    frame = pd.concat([row] * n, ignore_index=True)
    frame["customer_id"] = [f"c{i}" for i in range(n)]
    return frame


#: The vars of dbt_project.yml with their defaults, as a Python model's config holds them.
PROJECT_VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
DEFAULTS = SegmentationSettings.from_config(PROJECT_VARS)
SETTINGS = replace(DEFAULTS, k_min=2, k_max=6, sample_size=1000, n_init=4, random_seed=7)


# ------------------------------------------------------------------ transforms and scaling


def test_transforms_are_the_documented_formulas() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "recency_days": [0, 9],
            "frequency": [1, 3],
            "monetary": [-20.0, 99.0],
            "avg_order_value": [-20.0, 33.0],
            "tenure_days": [5, 40],
            "avg_basket_units": [1.0, 2.5],
            "count_distinct_categories": [1, 4],
            "share_spend_returned": [0.25, 0.0],
            "days_per_order": [5.0, 13.3],
            "share_spend_category_10": [0.1, 0.0],
            "share_spend_category_2": [0.9, 0.5],
        }
    )
    out = transform_features(frame)
    assert list(out.columns[-2:]) == ["share_spend_category_2", "share_spend_category_10"]
    assert out["recency_days"].tolist() == pytest.approx([0.0, np.log(10)])
    assert out["monetary"].tolist() == pytest.approx([-np.log(21), np.log(100)])
    assert out["share_spend_returned"].tolist() == pytest.approx([0.5, 0.0])
    assert out["tenure_days"].tolist() == [5.0, 40.0]
    assert out["share_spend_category_10"].tolist() == [0.1, 0.0]


def test_scaling_drops_constants_pools_share_scales_and_clips() -> None:
    frame, _ = blob_features(per_kind=20)
    frame["count_distinct_categories"] = 3  # a constant feature
    frame["share_spend_category_4"] = 0.0  # a constant share
    frame.loc[0, "monetary"] = 1e12  # an extreme customer
    transformed = transform_features(frame)
    scaling = fit_scaling(transformed, clip=3.0)
    assert scaling.dropped_constant == ["count_distinct_categories", "share_spend_category_4"]
    assert "count_distinct_categories" not in scaling.features
    pooled = np.sqrt(np.mean([transformed[c].var(ddof=0) for c in SHARES]))
    for name, center, scale in zip(scaling.features, scaling.centers, scaling.scales, strict=True):
        assert center == pytest.approx(transformed[name].mean())
        expected = pooled if name in SHARES else transformed[name].std(ddof=0)
        assert scale == pytest.approx(expected)
    matrix = apply_scaling(transformed, scaling)
    assert matrix.shape == (len(frame), len(scaling.features))
    assert matrix.max() <= 3.0 and matrix.min() >= -3.0
    assert matrix[0, scaling.features.index("monetary")] == 3.0


# ------------------------------------------------------------------ k choice, fit, ids


def test_planted_kinds_are_found_with_their_number() -> None:
    frame, kinds = blob_features()
    model = fit_segmentation(frame, SETTINGS)
    assert model.chosen_k == 4 and model.algorithm == "kmeans"
    assert model.fallback_reason is None
    assert [e.k for e in model.evaluations] == [2, 3, 4, 5, 6]
    segments = assign_segments(frame, model)
    assert segments["customer_id"].tolist() == frame["customer_id"].tolist()
    assert adjusted_rand_score(kinds, segments["segment_id"]) == 1.0
    # segment 1 spends most on average, then 2, ...: the biggest spenders are segment 1
    assert (segments["segment_id"][kinds == 0] == 1).all()
    means = frame.groupby(segments["segment_id"].to_numpy())["monetary"].mean()
    assert means.is_monotonic_decreasing


def test_silhouettes_are_those_of_scikit_learn_and_the_best_wins() -> None:
    frame, _ = blob_features(per_kind=30)
    model = fit_segmentation(frame, SETTINGS)
    matrix = apply_scaling(transform_features(frame), model.scaling)
    for evaluation in model.evaluations:
        fitted = KMeans(evaluation.k, n_init=4, random_state=7).fit(matrix)
        assert evaluation.silhouette == pytest.approx(silhouette_score(matrix, fitted.labels_))
        assert evaluation.inertia == pytest.approx(fitted.inertia_)
    assert model.chosen_silhouette == max(e.silhouette for e in model.evaluations)


def test_best_k_breaks_ties_towards_fewer_segments() -> None:
    evaluations = [KEvaluation(5, 0.4, 1.0), KEvaluation(3, 0.4, 2.0), KEvaluation(4, 0.2, 1.5)]
    assert best_k(evaluations) == 3


def test_same_input_in_any_order_and_seed_gives_the_same_segments() -> None:
    frame, _ = blob_features()
    first = assign_segments(frame, fit_segmentation(frame, SETTINGS))
    shuffled = frame.sample(frac=1.0, random_state=3)
    model = fit_segmentation(shuffled, SETTINGS)
    pd.testing.assert_frame_equal(assign_segments(shuffled, model), first)
    other_seed = replace(SETTINGS, random_seed=99)
    again = assign_segments(frame, fit_segmentation(frame, other_seed))
    assert again["segment_id"].tolist() == first["segment_id"].tolist()


def test_model_json_round_trips_exactly() -> None:
    frame, _ = blob_features(per_kind=10)
    model = fit_segmentation(frame, SETTINGS)
    restored = SegmentationModel.from_json(model.to_json())
    assert restored == model
    assert json.loads(model_frame(model)["model_json"].iloc[0])["chosen_k"] == model.chosen_k


def test_sampled_selection_and_minibatch_refinement_agree_with_the_full_fit() -> None:
    frame, kinds = blob_features(per_kind=150)
    sampled = replace(SETTINGS, sample_size=200, minibatch_threshold=300)
    model = fit_segmentation(frame, sampled)
    assert model.sample_customers == 200 and model.customers_clustered == 600
    assert model.algorithm == "minibatch_kmeans" and model.chosen_k == 4
    assert adjusted_rand_score(kinds, assign_segments(frame, model)["segment_id"]) == 1.0
    lloyd = replace(SETTINGS, sample_size=200, minibatch_threshold=1_000_000)
    assert fit_segmentation(frame, lloyd).algorithm == "kmeans"
    rows = sample_rows(600, 200, 7)
    assert len(np.unique(rows)) == 200 and (np.diff(rows) > 0).all()
    assert (rows == sample_rows(600, 200, 7)).all()


def test_nearest_centroid_is_exact_and_ties_go_to_the_lower_index() -> None:
    matrix = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 4.0]])
    centroids = np.array([[2.0, 0.0], [0.0, 0.0]])
    labels, distances = nearest_centroid(matrix, centroids)
    assert labels.tolist() == [1, 0, 0]
    assert distances.tolist() == [0.0, 1.0, pytest.approx(np.sqrt(17))]


def test_segments_follow_monetary_and_empty_clusters_come_last_in_index_order() -> None:
    """k = 12, customers in clusters 3, 7 and 11 only: those by mean monetary (descending),
    then the nine empty clusters by their index (2 before 10)."""
    labels = np.array([3, 7, 11, 7])
    monetary = np.array([50.0, 10.0, 80.0, 30.0])
    customer_ids = np.array(["c1", "c2", "c3", "c4"])
    order = order_segments(labels, monetary, customer_ids, 12)
    assert order.tolist() == [11, 3, 7, 0, 1, 2, 4, 5, 6, 8, 9, 10]


# ------------------------------------------------------------------ edge cases


def test_no_customers_give_no_segment_and_say_why() -> None:
    frame, _ = blob_features(per_kind=1)
    empty = frame.iloc[0:0]
    model = fit_segmentation(empty, SETTINGS)
    assert (model.chosen_k, model.algorithm, model.customers_clustered) == (0, "none", 0)
    assert model.fallback_reason.startswith("no customers")
    assert assign_segments(empty, model).empty
    evaluations = k_evaluations_frame(model)
    assert evaluations["k"].tolist() == [2, 3, 4, 5, 6]
    assert not evaluations["is_k_evaluated"].any() and not evaluations["is_chosen_k"].any()
    row = model_frame(model).iloc[0]
    assert row["chosen_k"] == 0 and pd.isna(row["inertia"]) and row["feature_count"] == 0


def test_one_customer_is_one_segment_on_its_centroid() -> None:
    frame, _ = blob_features(per_kind=1)
    one = frame.iloc[[2]]
    model = fit_segmentation(one, SETTINGS)
    assert (model.chosen_k, model.algorithm) == (1, "single_segment")
    assert "1 distinct customer profile(s)" in model.fallback_reason
    assert model.scaling.features == []  # every feature is constant over one customer
    segments = assign_segments(one, model)
    assert segments.to_dict("records") == [
        {"customer_id": one["customer_id"].iloc[0], "segment_id": 1, "distance_to_centroid": 0.0}
    ]


@pytest.mark.parametrize("n", [2, 3])
def test_fewer_customers_than_k_min_plus_one_are_one_segment(n: int) -> None:
    frame, _ = blob_features(per_kind=1)
    model = fit_segmentation(frame.iloc[:n], replace(DEFAULTS, k_min=3, k_max=8))
    assert (model.chosen_k, model.algorithm) == (1, "single_segment")
    assert "segment_k_min + 1 = 4" in model.fallback_reason
    segments = assign_segments(frame.iloc[:n], model)
    assert (segments["segment_id"] == 1).all() and len(segments) == n
    # the centroid is the mean of the scaled features
    matrix = apply_scaling(transform_features(frame.iloc[:n]), model.scaling)
    expected = np.sqrt(((matrix - matrix.mean(axis=0)) ** 2).sum(axis=1))
    assert segments["distance_to_centroid"].tolist() == pytest.approx(expected.tolist())


def test_only_the_k_that_the_customers_allow_are_tried() -> None:
    frame, _ = blob_features(per_kind=2)
    five = frame.iloc[[0, 2, 4, 6, 7]]
    model = fit_segmentation(five, replace(DEFAULTS, k_min=3, k_max=8, n_init=2))
    assert [e.k for e in model.evaluations] == [3, 4]
    assert model.chosen_k in (3, 4) and model.algorithm == "kmeans"
    evaluations = k_evaluations_frame(model)
    assert evaluations["is_k_evaluated"].tolist() == [True, True, False, False, False, False]
    assert evaluations["silhouette"].isna().tolist() == [False, False, True, True, True, True]
    assert sorted(assign_segments(five, model)["segment_id"].unique()) == list(
        range(1, model.chosen_k + 1)
    )


def test_identical_customers_are_one_segment_at_distance_zero() -> None:
    frame = constant_features(50)
    model = fit_segmentation(frame, SETTINGS)
    assert (model.chosen_k, model.distinct_sample_profiles) == (1, 1)
    segments = assign_segments(frame, model)
    assert (segments["distance_to_centroid"] == 0.0).all()


def test_a_constant_feature_is_dropped_and_the_rest_still_segments() -> None:
    frame, kinds = blob_features()
    frame["count_distinct_categories"] = 2
    frame["share_spend_category_3"] = 0.25
    model = fit_segmentation(frame, SETTINGS)
    assert "count_distinct_categories" in model.scaling.dropped_constant
    assert "share_spend_category_3" in model.scaling.dropped_constant
    assert model.chosen_k == 4
    assert adjusted_rand_score(kinds, assign_segments(frame, model)["segment_id"]) == 1.0


#: The config of int_segment_model_fitted as dbt renders it (every var as text).
CONFIG = {
    "segment_k_min": "3",
    "segment_k_max": "8",
    "segment_sample_size": "5000",
    "segment_minibatch_threshold": "1000000",
    "segment_n_init": "10",
    "random_seed": "42",
}


def test_no_categories_and_no_returns_are_left_out_with_their_reason() -> None:
    """Orders only (no products file, no category on the lines: every product 'Uncategorized')
    and no return: the category and return features say nothing; k-means runs on the rest."""
    frame, kinds = blob_features()
    frame["count_distinct_categories"] = 1
    frame["share_spend_category_1"] = 1.0
    frame[SHARES[1:]] = 0.0
    frame["share_spend_returned"] = 0.0
    model = fit_segmentation(frame, SETTINGS)
    dropped = ["count_distinct_categories", "share_spend_returned", *SHARES]
    assert model.scaling.dropped == dropped
    assert model.scaling.dropped_unobserved == []
    assert model.scaling.drop_reasons == [
        "count_distinct_categories: 1 for every customer",
        "share_spend_returned: 0 for every customer",
        "share_spend_category_1: 1 for every customer",
        "share_spend_category_2: 0 for every customer",
        "share_spend_category_3: 0 for every customer",
    ]
    assert not set(dropped) & set(model.scaling.features)
    assert model.algorithm == "kmeans" and model.chosen_k in (3, 4)
    # without categories the fashion and one-timer kinds may share a segment (k = 3 and 4 are
    # within 0.001 of silhouette), but no kind is split
    segments = assign_segments(frame, model)["segment_id"]
    assert pd.Series(segments.to_numpy()).groupby(kinds).nunique().eq(1).all()
    row = model_frame(model).iloc[0]
    assert row["features_dropped"] == ", ".join(dropped)
    assert row["feature_drop_reasons"].startswith("count_distinct_categories: 1 for every")
    assert row["feature_count"] == len(model.scaling.features) == 7


def test_a_feature_without_any_value_is_left_out_and_nulls_count_as_its_center() -> None:
    frame, kinds = blob_features()
    frame["avg_basket_units"] = None  # no observed value
    frame.loc[[0, 5], "tenure_days"] = None  # a few nulls
    transformed = transform_features(frame)
    scaling = fit_scaling(transformed, clip=3.0, raw=frame)
    assert scaling.dropped_unobserved == ["avg_basket_units"]
    assert scaling.drop_reasons == ["avg_basket_units: no customer has a value"]
    tenure = transformed["tenure_days"].dropna()
    index = scaling.features.index("tenure_days")
    assert scaling.centers[index] == pytest.approx(tenure.mean())
    assert scaling.scales[index] == pytest.approx(tenure.std(ddof=0))
    matrix = apply_scaling(transformed, scaling)
    assert not np.isnan(matrix).any() and matrix[0, index] == 0.0
    model = fit_segmentation(frame, SETTINGS)
    assert model.chosen_k == 4
    assert adjusted_rand_score(kinds, assign_segments(frame, model)["segment_id"]) == 1.0
    assert model_frame(model)["features_dropped"].iloc[0] == "avg_basket_units"


def test_decimal_money_gives_the_model_of_floats() -> None:
    """Money columns may arrive as Decimal objects (DECIMAL in SQL): converted explicitly."""
    frame, _ = blob_features(per_kind=15)
    exact = frame.copy()
    for column in ("monetary", "avg_order_value"):
        exact[column] = [Decimal(f"{value:.6f}") for value in frame[column].round(6)]
    frame[["monetary", "avg_order_value"]] = frame[["monetary", "avg_order_value"]].round(6)
    assert exact["monetary"].dtype == object
    assert fit_segmentation(exact, SETTINGS) == fit_segmentation(frame, SETTINGS)


def test_one_customer_and_identical_customers_say_every_feature_is_constant() -> None:
    frame = constant_features(5)
    model = fit_segmentation(frame, SETTINGS)
    assert model.scaling.features == [] and model.chosen_k == 1
    assert len(model.scaling.drop_reasons) == len(transform_features(frame).columns)
    assert "frequency: " in model_frame(model)["feature_drop_reasons"].iloc[0]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"segment_k_min": "1", "segment_k_max": "8"}, "2 <= segment_k_min <= segment_k_max"),
        ({"segment_k_min": "5", "segment_k_max": "4"}, "2 <= segment_k_min <= segment_k_max"),
        ({"segment_k_min": "2.5"}, "var 'segment_k_min' must be an integer"),
        ({"segment_sample_size": "2"}, "segment_sample_size must be at least 3"),
        ({"segment_n_init": "0"}, "segment_n_init must be >= 1"),
        ({"segment_n_init": None}, "var 'segment_n_init' must be set"),
    ],
)
def test_invalid_vars_are_refused_with_their_name(config: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SegmentationSettings.from_config({**CONFIG, **config})


def test_settings_read_the_config_strings() -> None:
    settings = SegmentationSettings.from_config(CONFIG)
    assert settings == replace(DEFAULTS, k_min=3, k_max=8, random_seed=42)
    assert settings == DEFAULTS  # CONFIG holds the defaults of dbt_project.yml
    assert settings.clip == 3.0


@pytest.mark.parametrize("missing", sorted(CONFIG))
def test_a_var_missing_from_the_config_is_an_error_naming_it(missing: str) -> None:
    """No second default: a var that did not reach the model config stops the model."""
    config = {name: value for name, value in CONFIG.items() if name != missing}
    with pytest.raises(ConfigError, match=f"var '{missing}' did not reach the model config"):
        SegmentationSettings.from_config(config)


# ------------------------------------------------------------------ personas


def profile(segment_id: int, **overrides: object) -> dict[str, object]:
    """One row of int_segments_profiled; the base is a customer spending 2,000 over 10
    orders, every 45 days, last 240 days ago, returning 4 %; Electronics is 70 % of spend."""
    row: dict[str, object] = {
        "segment_id": segment_id,
        "customer_count": 100,
        "customer_share": 0.25,
        "avg_monetary": 2000.0,
        "avg_frequency": 10.0,
        "avg_recency_days": 240.0,
        "avg_days_between_orders": 45.0,
        "avg_share_spend_returned": 0.04,
        "top_category": "Electronics",
        "top_category_spend_share": 0.7,
        "top_category_base_spend_share": 0.7,
        "base_avg_monetary": 2000.0,
        "base_avg_frequency": 10.0,
        "base_avg_recency_days": 240.0,
        "base_avg_days_between_orders": 45.0,
        "base_avg_share_spend_returned": 0.04,
    }
    row.update(overrides)
    return row


def test_persona_names_follow_the_documented_rules() -> None:
    profiles = pd.DataFrame(
        [
            profile(1, avg_monetary=8400.0, avg_frequency=21.0, top_category_spend_share=0.87),
            profile(
                2,
                avg_monetary=640.0,
                avg_frequency=22.0,
                top_category="Groceries",
                top_category_spend_share=0.74,
                top_category_base_spend_share=0.08,
            ),
            profile(
                3,
                avg_monetary=350.0,
                avg_frequency=4.0,
                top_category="Fashion",
                top_category_spend_share=0.35,
                top_category_base_spend_share=0.06,
            ),
            profile(
                4,
                avg_monetary=100.0,
                avg_frequency=1.4,
                avg_recency_days=570.0,
                top_category="Home",
                top_category_spend_share=0.35,
                top_category_base_spend_share=0.2,
            ),
            profile(5, avg_monetary=1900.0, top_category="Uncategorized"),
        ]
    )
    named = name_personas(profiles.iloc[::-1])
    assert named["segment_id"].tolist() == [1, 2, 3, 4, 5]
    assert named["persona_name"].tolist() == [
        "High-value Electronics regulars",
        "Budget Groceries regulars",
        "Occasional Fashion shoppers",
        "Lapsed one-timers",
        "Shoppers",
    ]


def test_recent_customers_are_new_not_budget_one_timers() -> None:
    """UCI Online Retail: a segment whose customers first bought 59 days ago on average (all
    customers: 201), with 1.4 orders and a third of the spend, was "Budget one-timers". They are
    new customers, who have not had the time to come back: a lapsed segment stays lapsed."""
    plain = {"top_category": "Uncategorized", "base_avg_tenure_days": 200.0}
    profiles = pd.DataFrame(
        [
            profile(1, avg_frequency=1.4, avg_monetary=600.0, avg_tenure_days=50.0, **plain),
            profile(2, avg_frequency=1.4, avg_monetary=600.0, avg_tenure_days=300.0, **plain),
            profile(3, avg_frequency=20.0, avg_tenure_days=90.0, **plain),
            profile(4, avg_recency_days=400.0, avg_tenure_days=50.0, **plain),
            profile(5, avg_tenure_days=101.0, **plain),
        ]
    )
    named = name_personas(profiles)
    assert named["persona_name"].tolist() == [
        "New customers", "Budget one-timers", "New regulars", "Lapsed shoppers", "Shoppers",
    ]  # fmt: skip
    descriptions = named["persona_description"].tolist()
    tenure_clause = "; first order 50 days ago on average (all customers: 200); last order"
    assert tenure_clause in descriptions[0]
    assert all("first order" not in text for text in descriptions[1::3])


def test_descriptions_give_figures_against_the_whole_base() -> None:
    row = profile(
        1,
        customer_share=0.153,
        customer_count=427,
        avg_monetary=8400.0,
        avg_frequency=21.0,
        avg_days_between_orders=18.2,
        avg_share_spend_returned=0.10,
        top_category_spend_share=0.6,
        top_category_base_spend_share=0.25,
    )
    text = name_personas(pd.DataFrame([row, profile(2)]))["persona_description"].iloc[0]
    assert text == (
        "15% of customers (427). Spend 4.2\u00d7 the average customer (8,400 vs 2,000); "
        "order every 18 days (all customers: 45); 60% of spend in Electronics "
        "(all customers: 25%); return 10% of their spend on average (all customers: 4%); "
        "last order 240 days ago on average (all customers: 240)."
    )
    # a share at exactly half a point reads as SQL's crm_percent_text writes it (half up)
    halves = name_personas(
        pd.DataFrame(
            [{**row, "customer_share": 0.125, "top_category_spend_share": 0.625}, profile(2)]
        )
    )["persona_description"].iloc[0]
    assert halves.startswith("13% of customers") and "63% of spend in Electronics" in halves
    with duckdb.connect() as con:
        sql = con.sql("select cast(round(100 * 0.625::double) as integer)").fetchall()[0][0]
    assert f"{sql}%" == "63%"
    unnamed = profile(
        2, top_category="Uncategorized", top_category_base_spend_share=1.0, avg_recency_days=1.0
    )
    text = name_personas(pd.DataFrame([profile(1), unnamed]))["persona_description"].iloc[1]
    assert "Uncategorized" not in text and "of spend in" not in text
    assert "last order 1 day ago on average (all customers: 240)" in text
    one_timers = profile(2, avg_frequency=1.3, avg_days_between_orders=None)
    text = name_personas(pd.DataFrame([profile(1), one_timers]))["persona_description"].iloc[1]
    assert "1.3 orders each on average (all customers: 10.0)" in text


def test_equal_names_are_made_distinct_by_spend() -> None:
    profiles = pd.DataFrame(
        [profile(i, avg_monetary=2000.0 - i) for i in (1, 2, 3)] + [profile(4, avg_monetary=9e3)]
    )
    names = name_personas(profiles)["persona_name"].tolist()
    assert names == [
        "Electronics shoppers (higher spend)",
        "Electronics shoppers (middle spend)",
        "Electronics shoppers (lower spend)",
        "High-value Electronics shoppers",
    ]
    assert len(set(names)) == len(names)


def test_two_equal_names_are_told_apart_by_what_differs_most() -> None:
    """Kaggle Groceries: two "Shoppers" segments spend 13 and 12 (all members: 10.4) but order
    5.3 and 3.2 times (all: 3.9): "(higher spend)" / "(lower spend)" named the smaller
    difference. The figure whose means differ most relative to the base names them."""
    base = {"base_avg_monetary": 10.4, "base_avg_frequency": 3.9, "base_avg_recency_days": 189.0}
    kaggle = [
        profile(1, avg_monetary=13.4, avg_frequency=5.3, avg_recency_days=122.0, **base),
        profile(2, avg_monetary=12.1, avg_frequency=3.2, avg_recency_days=155.0, **base),
    ]
    plain = {"top_category": "Uncategorized"}
    names = name_personas(pd.DataFrame([{**p, **plain} for p in kaggle]))["persona_name"]
    assert names.tolist() == ["Shoppers (more orders)", "Shoppers (fewer orders)"]
    recent = [
        profile(1, avg_recency_days=300.0, **plain),
        profile(2, avg_recency_days=200.0, **plain),
    ]
    names = name_personas(pd.DataFrame(recent))["persona_name"]
    assert names.tolist() == ["Shoppers (less recent)", "Shoppers (more recent)"]
    alike = [profile(1, **plain), profile(2, **plain)]  # nothing differs: spend, by position
    names = name_personas(pd.DataFrame(alike))["persona_name"]
    assert names.tolist() == ["Shoppers (higher spend)", "Shoppers (lower spend)"]


def test_a_single_segment_is_all_customers_and_no_segment_no_persona() -> None:
    named = name_personas(pd.DataFrame([profile(1, customer_share=1.0)]))
    assert named["persona_name"].tolist() == [SINGLE_SEGMENT_NAME]
    assert named["persona_description"].iloc[0].startswith("Every customer (100): too few")
    empty = name_personas(pd.DataFrame([profile(1)]).iloc[0:0])
    assert empty.empty and list(empty.columns) == [
        "segment_id",
        "persona_name",
        "persona_description",
    ]
