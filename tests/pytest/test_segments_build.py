"""Segmentation (issue 6) through dbt: planted archetypes recovered on generated data (adjusted
Rand index, chosen k), features and persona figures against an independent pandas
implementation, two builds of the segments and sentiment models identical to the bit (also
when DuckDB aggregates with 1 or 4 threads), and tiny inputs (alike customers, no customers)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import UNIT_TESTS_RUN_ELSEWHERE, DbtRun, run_dbt
from sklearn.metrics import adjusted_rand_score

SEGMENT_MARTS = [
    "+fct_customer_segments",
    "+dim_segment_personas",
    "+fct_segmentation_model_metrics",
]
TOP_CATEGORIES = 8


def features_oracle(run: DbtRun, top_categories: int = TOP_CATEGORIES) -> pd.DataFrame:
    """The documented features of int_segment_features_prepared, computed in pandas from the
    kept lines, the products and fct_customer_rfm (independently of the SQL)."""
    lines = run.df(
        "select customer_id, product_id, quantity, line_amount from int_order_lines_cleaned "
        "where customer_id is not null"
    ).merge(run.df("select product_id, category from int_products_resolved"), on="product_id")
    rfm = run.df(
        "select customer_id, recency_days, frequency, tenure_days from fct_customer_rfm"
    ).set_index("customer_id")
    bought = lines[lines["quantity"] > 0]
    spend_per_category = bought.groupby("category")["line_amount"].sum().reset_index()
    spend_per_category = spend_per_category.sort_values(
        ["line_amount", "category"], ascending=[False, True]
    )
    rank = {c: i + 1 for i, c in enumerate(spend_per_category["category"])}
    per_customer = bought.groupby("customer_id")
    spend = per_customer["line_amount"].sum()
    returned = -lines[lines["quantity"] < 0].groupby("customer_id")["line_amount"].sum()
    out = pd.DataFrame(index=rfm.index)
    frequency = rfm["frequency"].astype(float)
    out["avg_basket_units"] = per_customer["quantity"].sum() / frequency
    out["count_distinct_categories"] = per_customer["category"].nunique()
    out["share_spend_returned"] = np.minimum(1.0, returned.reindex(out.index).fillna(0.0) / spend)
    gap = (rfm["tenure_days"] - rfm["recency_days"]) / (frequency - 1)
    out["avg_days_between_orders"] = gap.where(rfm["frequency"] > 1)
    out["days_per_order"] = rfm["tenure_days"] / frequency
    out["purchase_spend"] = spend
    bought = bought.assign(category_rank=bought["category"].map(rank))
    by_rank = bought.pivot_table(
        index="customer_id", columns="category_rank", values="line_amount", aggfunc="sum"
    )
    for r in range(1, top_categories + 1):
        column = by_rank[r] if r in by_rank.columns else pd.Series(0.0, index=by_rank.index)
        out[f"share_spend_category_{r}"] = column.reindex(out.index).fillna(0.0) / spend
    return out.sort_index()


# ---------------------------------------------------------------- generated data


def test_planted_archetypes_are_recovered_with_their_number(
    generated_build: DbtRun, generated_data: Path
) -> None:
    truth = pd.read_csv(generated_data / "truth" / "customer_archetypes.csv", dtype=str)
    segments = generated_build.df("fct_customer_segments")
    metrics = generated_build.df("fct_segmentation_model_metrics")
    joined = segments.merge(truth, on="customer_id", how="left")
    assert joined["archetype"].notna().all()  # every segmented customer has a planted archetype
    ari = adjusted_rand_score(joined["archetype"], joined["segment_id"])
    chosen = metrics["chosen_k"].iloc[0]
    silhouettes = dict(zip(metrics["k"], metrics["silhouette"].round(3), strict=True))
    print(f"\nsegments: ARI {ari:.4f} vs {truth['archetype'].nunique()} archetypes, k={chosen}")
    print(f"silhouette per k: {silhouettes}")
    print(pd.crosstab(joined["archetype"], joined["persona_name"]).to_string())
    assert chosen == truth["archetype"].nunique() == 4
    assert ari >= 0.8
    assert metrics["algorithm"].iloc[0] == "kmeans" and metrics["fallback_reason"].isna().all()
    assert metrics.loc[metrics["is_chosen_k"], "k"].tolist() == [4]
    assert metrics["is_k_evaluated"].all()
    # each archetype's majority segment is a different one
    majority = joined.groupby("archetype")["segment_id"].agg(lambda s: s.mode().iloc[0])
    assert majority.nunique() == 4


def test_features_equal_an_independent_pandas_implementation(generated_build: DbtRun) -> None:
    features = generated_build.df("int_segment_features_prepared").set_index("customer_id")
    expected = features_oracle(generated_build)
    assert features.index.sort_values().tolist() == expected.index.tolist()
    features = features.sort_index()
    for column in expected.columns:
        np.testing.assert_allclose(
            features[column].to_numpy(float),
            expected[column].to_numpy(float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=column,
        )


def test_personas_are_short_distinct_and_their_figures_are_right(
    generated_build: DbtRun,
) -> None:
    personas = generated_build.df("dim_segment_personas").set_index("segment_id")
    segments = generated_build.df("fct_customer_segments")
    features = generated_build.df("int_segment_features_prepared")
    churn = generated_build.df("fct_customer_churn_scores")
    categories = generated_build.df("int_segment_categories_ranked")
    ranks = dict(zip(categories["category"], categories["category_rank"], strict=True))
    assert len(ranks) <= TOP_CATEGORIES  # every category has a share feature here
    names = personas["persona_name"].tolist()
    for name, description in zip(names, personas["persona_description"], strict=True):
        print(f"{name}: {description}")
    assert len(set(names)) == len(names)
    assert all(len(name) <= 40 and len(name.split()) <= 5 for name in names)
    assert not any(re.search(r"\d", name) for name in names)
    joined = segments.merge(features, on="customer_id").merge(churn, on="customer_id")
    assert len(joined) == len(segments) == len(features)
    by_segment = joined.groupby("segment_id")
    base_spend = features["monetary"].mean()
    assert personas["customer_count"].tolist() == by_segment.size().tolist()
    for column, feature in [
        ("avg_monetary", "monetary"),
        ("avg_frequency", "frequency"),
        ("avg_recency_days", "recency_days"),
        ("avg_share_spend_returned", "share_spend_returned"),
        ("avg_days_between_orders", "avg_days_between_orders"),
        ("avg_churn_probability", "churn_probability"),
    ]:
        np.testing.assert_allclose(
            personas[column].to_numpy(float),
            by_segment[feature].mean().to_numpy(float),
            atol=1e-6,
            err_msg=column,
        )
    sentiment = generated_build.df("int_customers_sentiment_aggregated")
    reviewers = segments.merge(sentiment, on="customer_id", how="left")
    by_reviewers = reviewers.groupby("segment_id")
    np.testing.assert_allclose(
        personas["avg_review_sentiment"].to_numpy(float),
        by_reviewers["avg_compound"].mean().to_numpy(float),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        personas["reviewer_share"].to_numpy(float),
        by_reviewers["scored_review_count"].apply(lambda c: (c > 0).mean()).to_numpy(float),
    )
    assert personas["avg_review_sentiment"].notna().all()
    # segment 1 spends most on average, and so on
    assert personas["avg_monetary"].is_monotonic_decreasing
    for segment_id, row in personas.iterrows():
        ratio = row["avg_monetary"] / base_spend
        text = row["persona_description"]
        assert f"Spend {ratio:.1f}\u00d7 the average customer" in text, text
        assert text.startswith(f"{row['customer_share']:.0%} of customers")
        # the top category's share of the segment's purchase spend, from the share features
        members = joined[joined["segment_id"] == segment_id]
        column = f"share_spend_category_{ranks[row['top_category']]}"
        spend = members["purchase_spend"]
        share = (members[column] * spend).sum() / spend.sum()
        assert row["top_category_spend_share"] == pytest.approx(share, rel=1e-9)
        shares = [(members[f"share_spend_category_{r}"] * spend).sum() for r in ranks.values()]
        assert max(shares) == pytest.approx(share * spend.sum())
        assert row["top_categories"].startswith(f"{row['top_category']} ")
        assert text.count("(all customers:") >= 3


#: The models of the two areas that aggregate floats in SQL over large groups (means, shares,
#: sums). Left out: those whose groups are one customer's few rows (int_segment_features_prepared,
#: exact decimal sums; int_customers_sentiment_aggregated, the macro of fct_product_sentiment).
AGGREGATING_MODELS = [
    "int_segment_categories_ranked",
    "int_segment_purchases_ranked",
    "int_segments_profiled",
    "dim_segment_personas",
    "fct_product_sentiment",
]
#: Rows of the largest copied input: several of DuckDB's row groups (122,880 rows), so that
#: its threads aggregate parts of one group in parallel.
INFLATED_ROWS = 400_000


def inflated_inputs(run: DbtRun, model: str) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A DuckDB connection where the relations `model` reads hold its inputs of `run`, each
    customer copied under new ids (customer_id~copy, review_id~copy) until the largest input
    has about INFLATED_ROWS rows (same copies everywhere, so the joins stay one to one), and
    the model's compiled SQL."""
    manifest = run.manifest()
    node = manifest["nodes"][f"model.crm_mining.{model}"]
    con = duckdb.connect()
    con.execute(f"attach '{run.db_path}' as source (read_only)")
    con.execute(f"attach ':memory:' as {run.db_path.stem}")  # the database the SQL names
    parents = [manifest["nodes"][p] for p in node["depends_on"]["nodes"]]
    columns = {
        p["name"]: [r[0] for r in con.execute(f"describe source.main.{p['name']}").fetchall()]
        for p in parents
    }
    sizes = [
        con.execute(f"select count(*) from source.main.{name}").fetchone()[0]
        for name in columns
        if "customer_id" in columns[name]
    ]
    copies = max(1, -(-INFLATED_ROWS // max(sizes, default=1)))
    for name, names in columns.items():
        renamed = [f"{c} || '~' || copy as {c}" for c in ("customer_id", "review_id") if c in names]
        select = f"* replace ({', '.join(renamed)})" if renamed else "*"
        copied = f", range({copies}) as copies(copy)" if renamed else ""
        con.execute(
            f"create table {run.db_path.stem}.main.{name} as "
            f"select {select} from source.main.{name}{copied}"
        )
    return con, node["compiled_code"]


@pytest.mark.parametrize("model", AGGREGATING_MODELS)
def test_float_aggregates_do_not_depend_on_the_thread_count(
    generated_build: DbtRun, model: str
) -> None:
    """The model's compiled SQL on inputs large enough for DuckDB to aggregate in parallel:
    with 1 thread and twice with 4 the rows are the same to the last bit (as text)."""
    con, sql = inflated_inputs(generated_build, model)
    results = []
    for threads in (1, 4, 4):
        con.execute(f"set threads = {threads}")
        rows = con.execute(f"select * from ({sql}) order by all").fetchall()
        results.append([tuple(repr(value) for value in row) for row in rows])
    assert len(results[0]) > 0, model
    assert results[1] == results[0] and results[2] == results[0], model


# ---------------------------------------------------------------- tiny inputs


def write_data_dir(data_dir: Path, orders: list[tuple[str, str, str, int]]) -> Path:
    """A normalized data_dir: orders (id, customer or '' for a guest, date, quantity), each
    one line of product P1 at 10 (no products file: its category is 'Uncategorized')."""
    data_dir.mkdir(parents=True)
    order_rows = ["order_id,customer_id,order_date"]
    item_rows = ["order_id,product_id,quantity,unit_price"]
    for order_id, customer_id, order_date, quantity in orders:
        order_rows.append(f"{order_id},{customer_id},{order_date}")
        item_rows.append(f"{order_id},P1,{quantity},10")
    (data_dir / "orders.csv").write_text("\n".join(order_rows) + "\n")
    (data_dir / "order_items.csv").write_text("\n".join(item_rows) + "\n")
    return data_dir


def build_tiny(tmp_path: Path, orders: list[tuple[str, str, str, int]]) -> DbtRun:
    """The segmentation marts with everything upstream and their data tests (unit tests do
    not depend on the data: the sample build runs them) on a tiny input."""
    data_dir = write_data_dir(tmp_path / "data", orders)
    return run_dbt(
        [
            "build",
            "--indirect-selection",
            "cautious",
            *UNIT_TESTS_RUN_ELSEWHERE,
            "--select",
            *SEGMENT_MARTS,
        ],
        tmp_path,
        {"data_dir": str(data_dir)},
    ).check()


def test_fewer_alike_customers_than_k_are_one_segment(tmp_path: Path) -> None:
    """Three customers (fewer than segment_k_min + 1 = 4) buying the one product: category
    features are constant and dropped, every customer is in the single segment."""
    run = build_tiny(
        tmp_path,
        [
            ("O1", "c1", "2024-01-05", 1),
            ("O2", "c2", "2024-02-01", 2),
            ("O3", "c3", "2024-02-01", 1),
            ("O4", "c1", "2024-03-01", 1),
            ("O5", "", "2024-03-01", 4),
        ],
    )
    metrics = run.df("fct_segmentation_model_metrics")
    assert metrics["k"].tolist() == [3, 4, 5, 6, 7, 8]
    assert (metrics["chosen_k"] == 1).all() and (metrics["algorithm"] == "single_segment").all()
    assert not metrics["is_k_evaluated"].any() and metrics["silhouette"].isna().all()
    assert metrics["fallback_reason"].iloc[0].startswith("3 distinct customer profile(s)")
    dropped = metrics["features_dropped"].iloc[0].split(", ")
    assert "count_distinct_categories" in dropped and "share_spend_category_1" in dropped
    assert metrics["customers_clustered"].iloc[0] == 3
    segments = run.df("select * from fct_customer_segments order by customer_id")
    assert segments["customer_id"].tolist() == ["c1", "c2", "c3"]
    assert (segments["segment_id"] == 1).all()
    assert (segments["persona_name"] == "All customers").all()
    assert (segments["distance_to_centroid"] >= 0).all()
    personas = run.df("dim_segment_personas")
    assert personas["customer_count"].tolist() == [3] and personas["customer_share"].tolist() == [1]
    assert personas["persona_description"].iloc[0].startswith("Every customer (3): too few")
    assert personas["top_products"].iloc[0] == "P1 (100% of customers)"


def test_no_customers_give_empty_marts_and_the_reason(tmp_path: Path) -> None:
    """Only a guest order: no customer to segment; the metrics say why."""
    run = build_tiny(tmp_path, [("O1", "", "2024-01-05", 1)])
    assert run.scalar("select count(*) from fct_customer_segments") == 0
    assert run.scalar("select count(*) from dim_segment_personas") == 0
    metrics = run.df("fct_segmentation_model_metrics")
    assert len(metrics) == 6 and (metrics["chosen_k"] == 0).all()
    assert (metrics["algorithm"] == "none").all() and metrics["inertia"].isna().all()
    assert metrics["fallback_reason"].iloc[0].startswith("no customers")
