"""Customer 360 (issue 8): dim_customers equals an independent pandas assembly of the marts it
summarises, on the bundled sample and on generated (messy) data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import DbtRun, run_dbt

RFM_COLUMNS = [
    "first_order_date", "last_order_date", "recency_days", "frequency", "monetary",
    "avg_order_value", "tenure_days", "r_score", "f_score", "m_score", "rfm_cell",
    "rfm_segment", "value_tier",
]  # fmt: skip


def expected_customers(run: DbtRun) -> pd.DataFrame:
    """dim_customers rebuilt in pandas from the validated customers and the detailed marts."""
    customers = run.df(
        "select customer_id, signup_date, country from int_customers_validated "
        "where row_status = 'kept'"
    ).set_index("customer_id")
    orders = run.df("select customer_id from fct_orders where customer_id is not null")
    reviews = run.df(
        "select customer_id, compound, rating, review_date from fct_review_sentiment "
        "where customer_id is not null"
    )
    ids = sorted(set(customers.index) | set(orders["customer_id"]) | set(reviews["customer_id"]))
    frame = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    frame["is_in_customer_file"] = frame.index.isin(customers.index)
    frame = frame.join(customers)
    frame["order_count"] = orders.groupby("customer_id").size().reindex(ids, fill_value=0)

    rfm = run.df("fct_customer_rfm").set_index("customer_id")
    frame["has_purchase"] = frame.index.isin(rfm.index)
    frame = frame.join(rfm[RFM_COLUMNS])
    segments = run.df("fct_customer_segments").set_index("customer_id")
    frame = frame.join(segments[["segment_id", "persona_name"]])
    churn = run.df("fct_customer_churn_scores").set_index("customer_id")
    frame = frame.join(
        churn[["churn_probability", "churn_risk_band", "main_driver"]].rename(
            columns={"main_driver": "churn_main_driver"}
        )
    )
    clv = run.df("fct_customer_lifetime_value").set_index("customer_id")
    frame = frame.join(clv[["p_alive", "expected_purchases", "predicted_clv"]])

    by_customer = reviews.groupby("customer_id")
    frame["review_count"] = by_customer.size().reindex(ids, fill_value=0)
    frame["avg_review_compound"] = by_customer["compound"].mean()
    frame["avg_review_rating"] = by_customer["rating"].mean()
    frame["last_review_date"] = by_customer["review_date"].max()

    recommendations = run.df("fct_customer_recommendations")
    best = recommendations.sort_values(["customer_id", "recommendation_rank"]).drop_duplicates(
        "customer_id"
    )
    names = run.df("select product_id, product_name from dim_products")
    best = best.merge(names, on="product_id", how="left").set_index("customer_id")
    frame["top_recommended_product_id"] = best["product_id"]
    frame["top_recommended_product_name"] = best["product_name"]
    frame["top_recommendation_score"] = best["score"]
    frame["top_recommendation_reason"] = best["reason"]
    return frame


@pytest.mark.parametrize("build", ["sample_build", "generated_build"])
def test_dim_customers_equals_an_independent_assembly(
    build: str, request: pytest.FixtureRequest
) -> None:
    run: DbtRun = request.getfixturevalue(build)
    mart = run.df("dim_customers").set_index("customer_id").sort_index()
    expected = expected_customers(run)
    assert mart.index.tolist() == expected.index.tolist()
    assert mart.index.is_unique
    assert set(expected.columns) <= set(mart.columns)
    for column in expected.columns:
        got, want = mart[column], expected[column]
        if pd.api.types.is_float_dtype(want) or column in ("monetary", "avg_order_value"):
            np.testing.assert_allclose(
                got.to_numpy(float), want.to_numpy(float), atol=1e-9, equal_nan=True,
                err_msg=column,
            )  # fmt: skip
        else:
            as_text = [None if pd.isna(v) else str(v) for v in got]
            want_text = [None if pd.isna(v) else str(v) for v in want]
            if column.endswith("_date"):
                as_text = [None if v is None else str(pd.Timestamp(v).date()) for v in as_text]
                want_text = [None if v is None else str(pd.Timestamp(v).date()) for v in want_text]
            assert as_text == want_text, column
    as_of = run.scalar("select as_of_date from int_as_of_date_resolved")
    assert set(mart["as_of_date"].map(lambda v: pd.Timestamp(v).date())) == {as_of}


def test_dim_customers_counts_match_the_planted_truth(
    generated_data: Path, generated_build: DbtRun
) -> None:
    """Every generated customer is a row; those who never ordered have no purchase and no RFM;
    the reviewers are the customers with a review_count."""
    truth = json.loads((generated_data / "truth" / "manifest.json").read_text())["counts"]
    counts = generated_build.df(
        "select count(*) as customers, "
        "count(*) filter (where is_in_customer_file) as in_file, "
        "count(*) filter (where has_purchase) as purchasing, "
        "count(*) filter (where is_in_customer_file and order_count = 0 and not has_purchase "
        "and frequency is null) as never_ordered, "
        "count(*) filter (where review_count > 0) as reviewers from dim_customers"
    ).iloc[0]
    assert counts["customers"] == counts["in_file"] == truth["customers"]
    # A customer whose every order was rejected (planted invalid rows) ordered but has no kept
    # order: they join the customers who never ordered, one for one.
    purchasing = generated_build.scalar(
        "select count(distinct customer_id) from fct_orders where is_purchase_order"
    )
    lost_to_rejections = truth["ordering_customers"] - purchasing
    assert counts["purchasing"] == purchasing
    assert 0 <= lost_to_rejections <= 5
    assert truth["never_ordered_customers"] > 0
    assert counts["never_ordered"] == truth["never_ordered_customers"] + lost_to_rejections
    assert counts["reviewers"] == truth["reviewers"] > 0


def test_a_customer_whose_reviews_are_undated_builds(sample_build: DbtRun, tmp_path: Path) -> None:
    """review_date is optional (int_reviews_validated keeps an undated review, see
    test_foundation): a customer whose reviews are all undated has reviews and no
    last_review_date. Before, dim_customers' row check required a date for every customer
    with a review, and such an input failed the build. On a copy of the sample's warehouse,
    one reviewer's aggregate is made undated and dim_customers rebuilt with its tests."""
    copy = sample_build.copy_to(tmp_path / "undated")
    with duckdb.connect(str(copy.db_path)) as con:
        customer = con.execute(
            "select min(customer_id) from int_customers_sentiment_aggregated where review_count > 0"
        ).fetchone()[0]
        con.execute(
            "update int_customers_sentiment_aggregated set last_review_date = null "
            "where customer_id = ?",
            [customer],
        )
    run = run_dbt(["build", "--select", "dim_customers"], copy.work_dir).check()
    rows = run.rows(
        f"select review_count, last_review_date from dim_customers where customer_id = '{customer}'"
    )
    assert len(rows) == 1 and rows[0][0] > 0 and rows[0][1] is None
