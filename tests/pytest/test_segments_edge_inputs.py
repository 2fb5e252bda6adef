"""Segments and sentiment built by dbt on the inputs real users start with (issue 12): orders
only (no products, no customers, no reviews file, no return: no category information at all),
a single customer with reviews that have no usable text, and identical customers with reviews
that have ratings but no text column. Each build selects the two areas' marts with everything
upstream and their data tests; the features that carry no information are left out and the
metrics say which and why, and nothing crashes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import UNIT_TESTS_RUN_ELSEWHERE, DbtRun, run_dbt
from test_segments_build import features_oracle

AREA_MARTS = [
    "+fct_customer_segments",
    "+dim_segment_personas",
    "+fct_segmentation_model_metrics",
    "+fct_review_sentiment",
    "+fct_product_sentiment",
    "+int_customers_sentiment_aggregated",
]
SENTIMENT_TABLES = [
    "int_review_texts_scored",
    "fct_review_sentiment",
    "fct_product_sentiment",
    "int_customers_sentiment_aggregated",
]
TOP_CATEGORIES = 8
SHARE_FEATURES = [f"share_spend_category_{rank}" for rank in range(1, TOP_CATEGORIES + 1)]
#: Every clustering feature, in the order of the model (crm_mining.segmentation).
FEATURES = [
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "avg_basket_units",
    "count_distinct_categories",
    "share_spend_returned",
    "days_per_order",
    *SHARE_FEATURES,
]


def build_inputs(work: Path, files: dict[str, str]) -> DbtRun:
    """Write the input files (name -> CSV text) to a data_dir and build both areas' marts, their
    upstream and their data tests (the unit tests do not depend on the data)."""
    data_dir = work / "data"
    data_dir.mkdir(parents=True)
    for name, text in files.items():
        (data_dir / f"{name}.csv").write_text(text, encoding="utf-8")
    args = ["build", "--indirect-selection", "cautious", *UNIT_TESTS_RUN_ELSEWHERE]
    return run_dbt([*args, "--select", *AREA_MARTS], work, {"data_dir": str(data_dir)}).check()


def metrics_row(run: DbtRun) -> pd.Series:
    """The chosen-model columns of fct_segmentation_model_metrics (equal on every row)."""
    metrics = run.df("select * from fct_segmentation_model_metrics order by k")
    assert metrics["k"].tolist() == [3, 4, 5, 6, 7, 8]
    chosen = metrics.drop(columns=["k", "silhouette", "sample_inertia", "is_k_evaluated"])
    assert len(chosen.drop(columns="is_chosen_k").drop_duplicates()) == 1
    return metrics.iloc[0]


# ---------------------------------------------------------------- orders only


@pytest.fixture(scope="module")
def orders_only(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """Seven customers and a guest, orders and order lines only: no products file (every
    product 'Uncategorized'), no customers file, no reviews file, no return. c7 bought half a
    unit (goods sold by weight): a basket of fewer than one unit failed a row check, and the
    segment marts and dim_customers were skipped."""
    orders = [
        ("O1", "c1", "2024-01-05", [("P1", 2, 10), ("P2", 1, 99.5)]),
        ("O2", "c1", "2024-02-05", [("P1", 1, 10)]),
        ("O3", "c1", "2024-03-05", [("P3", 5, 3)]),
        ("O4", "c2", "2024-01-10", [("P2", 1, 99.5)]),
        ("O5", "c3", "2023-06-01", [("P1", 10, 10)]),
        ("O6", "c3", "2023-06-20", [("P1", 12, 10)]),
        ("O7", "c4", "2024-03-01", [("P4", 1, 250)]),
        ("O8", "c5", "2023-02-01", [("P3", 1, 3)]),
        ("O9", "c6", "2024-02-14", [("P2", 2, 99.5)]),
        ("O10", "c6", "2024-02-28", [("P4", 1, 250)]),
        ("O11", "c7", "2023-11-11", [("P1", 0.5, 10)]),  # half a unit: sold by weight
        ("O12", "", "2024-01-01", [("P1", 3, 10)]),
    ]
    header = "order_id,customer_id,order_date\n"
    lines = "order_id,product_id,quantity,unit_price\n"
    for order_id, customer_id, order_date, items in orders:
        header += f"{order_id},{customer_id},{order_date}\n"
        lines += "".join(f"{order_id},{p},{q},{price}\n" for p, q, price in items)
    work = tmp_path_factory.mktemp("edge_orders_only")
    return build_inputs(work, {"orders": header, "order_items": lines})


def test_orders_only_segments_on_the_features_that_vary(orders_only: DbtRun) -> None:
    row = metrics_row(orders_only)
    dropped = ["count_distinct_categories", "share_spend_returned", *SHARE_FEATURES]
    assert row["algorithm"] == "kmeans" and pd.isna(row["fallback_reason"])
    assert row["features_dropped"] == ", ".join(dropped)
    assert row["features_used"] == ", ".join(f for f in FEATURES if f not in dropped)
    assert row["feature_count"] == len(FEATURES) - len(dropped) == 7
    reasons = row["feature_drop_reasons"].split("; ")
    assert reasons[:3] == [
        "count_distinct_categories: 1 for every customer",
        "share_spend_returned: 0 for every customer",
        "share_spend_category_1: 1 for every customer",
    ]
    assert len(reasons) == len(dropped)
    assert row["customers_clustered"] == 7 and 2 <= row["chosen_k"] <= 6
    segments = orders_only.df("select * from fct_customer_segments order by customer_id")
    assert segments["customer_id"].tolist() == [f"c{i}" for i in range(1, 8)]
    assert sorted(segments["segment_id"].unique()) == list(range(1, row["chosen_k"] + 1))


def test_orders_only_features_equal_pandas(orders_only: DbtRun) -> None:
    features = orders_only.df("int_segment_features_prepared").set_index("customer_id")
    expected = features_oracle(orders_only)
    assert (expected["share_spend_returned"] == 0).all()
    assert (expected["share_spend_category_1"] == 1).all()
    features = features.sort_index()
    for column in expected.columns:
        np.testing.assert_allclose(
            features[column].to_numpy(float), expected[column].to_numpy(float), err_msg=column
        )


def test_orders_only_personas_never_name_the_unknown_category(orders_only: DbtRun) -> None:
    personas = orders_only.df("select * from dim_segment_personas order by segment_id")
    assert personas["customer_count"].sum() == 7
    assert personas["persona_name"].is_unique
    for name, text in zip(personas["persona_name"], personas["persona_description"], strict=True):
        assert "Uncategorized" not in name and "Uncategorized" not in text, (name, text)
    assert (personas["top_categories"] == "Uncategorized 100%").all()
    assert personas["avg_review_sentiment"].isna().all()
    assert (personas["reviewer_share"] == 0).all()


def test_no_reviews_input_builds_empty(orders_only: DbtRun) -> None:
    for table in SENTIMENT_TABLES:
        assert orders_only.scalar(f"select count(*) from {table}") == 0


# ---------------------------------------------------------------- a single customer


@pytest.fixture(scope="module")
def single_customer(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """One customer (and a guest), a customers file with one country, and reviews none of
    which has a usable text (blank, empty, a tab, none), some with a rating."""
    files = {
        "orders": (
            "order_id,customer_id,order_date\nO1,c1,2024-01-05\nO2,c1,2024-02-05\nO3,,2024-02-06\n"
        ),
        "order_items": (
            "order_id,product_id,quantity,unit_price\nO1,P1,2,10\nO2,P2,1,5\nO2,P1,-1,10\n"
            "O3,P1,1,10\n"
        ),
        "customers": "customer_id,signup_date,country\nc1,2023-12-01,DE\nc2,2023-12-02,DE\n",
        "reviews": (
            "review_id,customer_id,product_id,review_date,rating,review_text\n"
            'R1,c1,P1,2024-01-10,5,"   "\n'
            'R2,c1,P2,2024-02-01,1,""\n'
            'R3,c2,P1,2024-01-11,,"\t"\n'
            "R4,,P2,2024-01-12,3,\n"
        ),
    }
    return build_inputs(tmp_path_factory.mktemp("edge_single_customer"), files)


def test_a_single_customer_is_one_segment_and_every_feature_says_why(
    single_customer: DbtRun,
) -> None:
    row = metrics_row(single_customer)
    assert (row["algorithm"], row["chosen_k"], row["feature_count"]) == ("single_segment", 1, 0)
    assert row["features_used"] == "" and row["features_dropped"] == ", ".join(FEATURES)
    reasons = row["feature_drop_reasons"].split("; ")
    assert len(reasons) == len(FEATURES)
    # bought 2 x 10 + 5, returned 10: 40 % of the spend came back
    assert "share_spend_returned: 0.4 for every customer" in reasons
    assert row["fallback_reason"].startswith(
        "1 distinct customer profile(s) in the sample of 1 customer(s)"
    )
    segments = single_customer.df("fct_customer_segments")
    assert segments[["customer_id", "segment_id", "distance_to_centroid"]].to_dict("records") == [
        {"customer_id": "c1", "segment_id": 1, "distance_to_centroid": 0.0}
    ]
    personas = single_customer.df("dim_segment_personas")
    assert personas["persona_name"].tolist() == ["All customers"]
    assert personas["customer_share"].tolist() == [1.0]
    text = personas["persona_description"].iloc[0]
    assert text.startswith("Every customer (1): too few distinct customers"), text
    assert "return 40% of their spend on average" in text


def test_reviews_without_usable_text_are_kept_unscored(single_customer: DbtRun) -> None:
    reviews = single_customer.df("select * from fct_review_sentiment order by review_id")
    assert reviews["review_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert (reviews["sentiment_label"] == "no_text").all()
    assert reviews[["compound", "positive", "neutral", "negative"]].isna().all().all()
    assert reviews["is_rating_disagreement"].isna().all()
    assert not reviews["is_text_truncated"].any()
    # the blank texts that are not null are in the score cache, without words or scores
    cache = single_customer.df("int_review_texts_scored")
    assert sorted(cache["text_length"]) == [1, 3] and not cache["has_words"].any()
    assert cache["compound"].isna().all()
    products = single_customer.df("select * from fct_product_sentiment order by product_id")
    assert products["review_count"].tolist() == [2, 2]
    assert products["scored_review_count"].tolist() == [0, 0]
    assert products["rated_review_count"].tolist() == [1, 2]
    assert products["avg_rating"].tolist() == [5.0, 2.0]
    shares = ["avg_compound", "share_positive", "share_neutral", "share_negative"]
    assert products[[*shares, "share_rating_disagreement"]].isna().all().all()
    customers = single_customer.df(
        "select * from int_customers_sentiment_aggregated order by customer_id"
    )
    assert customers["customer_id"].tolist() == ["c1", "c2"]  # R4 has no customer
    assert customers["avg_compound"].isna().all()
    personas = single_customer.df("dim_segment_personas")
    assert personas["avg_review_sentiment"].isna().all() and personas["reviewer_share"][0] == 0


# ---------------------------------------------------------------- identical customers


@pytest.fixture(scope="module")
def identical_customers(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """Five customers with the same two orders, a products file with categories, and reviews
    with ratings but no review_text column."""
    orders = "".join(f"O{n}{i},c{i},2024-0{n}-05\n" for n in (1, 2) for i in range(1, 6))
    lines = "".join(f"O{n}{i},P1,2,10\n" for n in (1, 2) for i in range(1, 6))
    files = {
        "orders": "order_id,customer_id,order_date\n" + orders,
        "order_items": "order_id,product_id,quantity,unit_price\n" + lines,
        "products": "product_id,product_name,category\nP1,Widget,Home\nP2,Gadget,Electronics\n",
        "reviews": (
            "review_id,customer_id,product_id,review_date,rating\n"
            "R1,c1,P1,2024-01-10,5\nR2,c2,P1,2024-01-11,4\nR3,c3,P2,2024-01-12,1\n"
        ),
    }
    return build_inputs(tmp_path_factory.mktemp("edge_identical_customers"), files)


def test_identical_customers_are_one_segment_at_distance_zero(
    identical_customers: DbtRun,
) -> None:
    row = metrics_row(identical_customers)
    assert (row["algorithm"], row["chosen_k"], row["distinct_sample_profiles"]) == (
        "single_segment",
        1,
        1,
    )
    assert row["customers_clustered"] == 5 and row["feature_count"] == 0
    assert row["fallback_reason"].startswith("1 distinct customer profile(s) in the sample of 5")
    assert "monetary: 40 for every customer" in row["feature_drop_reasons"]
    segments = identical_customers.df("fct_customer_segments")
    assert len(segments) == 5 and (segments["segment_id"] == 1).all()
    assert (segments["distance_to_centroid"] == 0).all()
    personas = identical_customers.df("dim_segment_personas")
    assert personas["persona_name"].tolist() == ["All customers"]
    assert "100% of spend in Home" in personas["persona_description"].iloc[0]


def test_reviews_with_ratings_and_no_text_column(identical_customers: DbtRun) -> None:
    reviews = identical_customers.df("fct_review_sentiment")
    assert len(reviews) == 3 and (reviews["sentiment_label"] == "no_text").all()
    assert identical_customers.scalar("select count(*) from int_review_texts_scored") == 0
    products = identical_customers.df("select * from fct_product_sentiment order by product_id")
    assert products["avg_rating"].tolist() == [4.5, 1.0]
    assert products["avg_compound"].isna().all()
    assert (products["compared_review_count"] == 0).all()


def test_segment_top_categories_must_be_a_count(tmp_path: Path) -> None:
    """A null, a word or a negative number silently became 0 category features; it is refused
    when dbt executes, naming the var, as the horizons are (crm_checked_var)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "orders.csv").write_text("order_id,customer_id,order_date\nO1,c1,2024-01-05\n")
    (data_dir / "order_items.csv").write_text(
        "order_id,product_id,quantity,unit_price\nO1,P1,1,10\n"
    )
    run = run_dbt(
        ["compile", "--select", "int_segment_features_prepared"],
        tmp_path,
        {"data_dir": str(data_dir), "segment_top_categories": -2},
    )
    assert not run.ok
    assert "var segment_top_categories must be an integer of 0 or more, got '-2'" in run.output
