"""Associations and recommendations: the pairwise rules equal mlxtend and an independent pandas
computation (generated data, the bundled sample with no minimum support, arules Groceries with
its published figures); planted bundles are the top-lift rules; item CF, buy again, every
method's lists and the offline evaluation equal the oracle of tests/pytest/reco_oracle.py on the
sample and generated data; the planted follow-up is found by item CF and not by the rules; on
Kaggle Groceries the chosen method is at least as good as popularity."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reco_oracle as oracle
from conftest import PROJECT_DIR, DbtRun, run_dbt, shared_dataset
from mlxtend.frequent_patterns import association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder

METRICS = ["support", "confidence", "lift", "leverage", "conviction"]
COUNTS = ["pair_order_count", "antecedent_order_count", "consequent_order_count", "total_orders"]
ASSOCIATION_MARTS = [
    "--select",
    "+fct_item_pair_associations",
    "+fct_category_pair_associations",
    "+fct_customer_recommendations",
    "+fct_customer_buy_again",
    "+fct_recommendation_evaluation",
]
FLAT_COLUMNS = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]


def settings(**overrides: Any) -> oracle.Settings:
    """The vars of dbt_project.yml, with overrides."""
    return oracle.Settings.from_project(PROJECT_DIR, **overrides)


def baskets_of(run: DbtRun) -> pd.DataFrame:
    """The (order, product) baskets of a build, with the order's time and the category."""
    baskets = run.df(
        "select baskets.order_id, baskets.product_id, baskets.customer_id, baskets.ordered_at, "
        "products.category "
        "from int_basket_products_deduplicated as baskets "
        "inner join int_products_resolved as products on baskets.product_id = products.product_id"
    )
    baskets["customer_id"] = baskets["customer_id"].astype(object)
    return baskets.where(baskets.notna(), None)


def mlxtend_pair_rules(
    baskets: pd.DataFrame, min_support: float, min_confidence: float, min_pair_count: int
) -> pd.DataFrame:
    """Single-item rules X -> Y by mlxtend (fpgrowth on itemsets of length <= 2)."""
    transactions = baskets.groupby("order_id")["product_id"].apply(list).tolist()
    encoder = TransactionEncoder()
    onehot = pd.DataFrame(
        encoder.fit(transactions).transform(transactions), columns=encoder.columns_
    )
    itemsets = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=2)
    rules = association_rules(
        itemsets, len(onehot), metric="confidence", min_threshold=min_confidence
    )
    rules = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
    rules = rules.assign(
        antecedent=rules["antecedents"].map(lambda s: next(iter(s))),
        consequent=rules["consequents"].map(lambda s: next(iter(s))),
        pair_order_count=(rules["support"] * len(onehot)).round().astype("int64"),
        conviction=rules["conviction"].replace(np.inf, np.nan),
    )
    rules = rules[(rules["pair_order_count"] >= min_pair_count) & (rules["support"] >= min_support)]
    return rules[["antecedent", "consequent", "pair_order_count", *METRICS]]


def assert_same_rules(
    mart: pd.DataFrame, expected: pd.DataFrame, item: str = "product_id", counts: bool = True
) -> None:
    """Same ordered pairs; same metrics within 1e-9 (null conviction where confidence = 1)."""
    mart = mart.rename(
        columns={f"antecedent_{item}": "antecedent", f"consequent_{item}": "consequent"}
    )
    mart = mart.sort_values(["antecedent", "consequent"]).reset_index(drop=True)
    expected = expected.sort_values(["antecedent", "consequent"]).reset_index(drop=True)
    assert len(mart) > 0
    assert mart[["antecedent", "consequent"]].values.tolist() == (
        expected[["antecedent", "consequent"]].values.tolist()
    )
    count_columns = [c for c in COUNTS if c in expected.columns] if counts else []
    for column in count_columns:
        assert mart[column].astype("int64").tolist() == expected[column].tolist(), column
    for column in METRICS:
        np.testing.assert_allclose(
            mart[column].to_numpy(float),
            expected[column].to_numpy(float),
            rtol=0,
            atol=1e-9,
            err_msg=column,
        )


def assert_same_lists(mart: pd.DataFrame, expected: pd.DataFrame, label: str) -> None:
    """Same customers, ranks, products (and reasons when both have them); scores within 1e-9."""
    mart = mart.sort_values(["customer_id", "recommendation_rank"]).reset_index(drop=True)
    expected = expected.sort_values(["customer_id", "recommendation_rank"]).reset_index(drop=True)
    key = ["customer_id", "recommendation_rank", "product_id"]
    key += ["reason"] if "reason" in mart.columns and "reason" in expected.columns else []
    assert len(mart) > 0, label
    assert mart[key].astype(str).values.tolist() == expected[key].astype(str).values.tolist(), label
    if "score" in mart.columns:
        np.testing.assert_allclose(
            mart["score"].to_numpy(float),
            expected["score"].to_numpy(float),
            rtol=0,
            atol=1e-9,
            err_msg=label,
        )


def assert_same_evaluation(mart: pd.DataFrame, expected: pd.DataFrame) -> None:
    """fct_recommendation_evaluation equals the oracle's: counts and choice exactly, rates
    within 1e-12."""
    key = ["recommendation_target", "method"]
    mart = mart.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert mart[key].values.tolist() == expected[key].values.tolist()
    for column in [
        "top_n",
        "evaluated_customer_count",
        "relevant_product_count",
        "hit_product_count",
        "hit_customer_count",
        "is_chosen",
        "is_forced",
    ]:
        assert mart[column].tolist() == expected[column].tolist(), column
    for column in ["hit_rate", "recall"]:
        np.testing.assert_allclose(
            mart[column].to_numpy(float), expected[column].to_numpy(float), rtol=0, atol=1e-12
        )


def evaluation_by_method(run: DbtRun, target: str) -> dict[str, dict[str, Any]]:
    """fct_recommendation_evaluation of one target as {method: row}."""
    frame = run.df("fct_recommendation_evaluation")
    return frame[frame["recommendation_target"] == target].set_index("method").to_dict("index")


def evaluation_lists(run: DbtRun) -> pd.DataFrame:
    """int_recommendation_evaluation_lists with customer and product ids."""
    return run.df(
        "select lists.recommendation_target, lists.method, customers.customer_id, "
        "products.product_id, lists.recommendation_rank "
        "from int_recommendation_evaluation_lists as lists "
        "inner join int_recommendation_customers_numbered as customers "
        "on lists.customer_number = customers.customer_number "
        "inner join int_recommendation_products_ranked as products "
        "on lists.product_number = products.product_number"
    )


def similarities(run: DbtRun) -> pd.DataFrame:
    """int_product_similarities with product ids."""
    return run.df(
        "select similarities.context, products.product_id, "
        "neighbours.product_id as neighbour_product_id, similarities.pair_customer_count, "
        "similarities.similarity, similarities.neighbour_rank "
        "from int_product_similarities as similarities "
        "inner join int_recommendation_products_ranked as products "
        "on similarities.product_number = products.product_number "
        "inner join int_recommendation_products_ranked as neighbours "
        "on similarities.neighbour_product_number = neighbours.product_number"
    )


# ---------------------------------------------------------------------- rules, generated data


def test_generated_rules_match_mlxtend_and_pandas(generated_build: DbtRun) -> None:
    """Every rule and metric of fct_item_pair_associations (default vars) equals mlxtend's
    fpgrowth + association_rules and the pandas incidence-matrix computation."""
    reco = settings()
    thresholds = (reco.min_support, reco.min_confidence, reco.min_pair_count)
    baskets = baskets_of(generated_build)
    mart = generated_build.df("fct_item_pair_associations")
    assert_same_rules(mart, mlxtend_pair_rules(baskets, *thresholds))
    assert_same_rules(mart, oracle.pair_rules(baskets, *thresholds))
    assert (mart["total_orders"] == baskets["order_id"].nunique()).all()


def test_generated_category_rules_match_pandas(generated_build: DbtRun) -> None:
    """fct_category_pair_associations equals the pandas computation on (order, category)."""
    reco = settings()
    expected = oracle.pair_rules(
        baskets_of(generated_build),
        reco.min_support,
        reco.min_confidence,
        reco.min_pair_count,
        item_column="category",
    )
    assert_same_rules(
        generated_build.df("fct_category_pair_associations"), expected, item="category"
    )


def test_baskets_are_distinct_positive_products(generated_build: DbtRun) -> None:
    """A basket = the distinct products of an order's positive kept lines, guests included."""
    baskets = baskets_of(generated_build)
    lines = generated_build.df(
        "select order_id, product_id, customer_id from int_order_lines_cleaned where quantity > 0"
    ).drop_duplicates(["order_id", "product_id"])
    key = ["order_id", "product_id"]
    assert sorted(map(tuple, baskets[key].values)) == sorted(map(tuple, lines[key].values))
    assert baskets["customer_id"].isna().any(), "guest orders are baskets too"
    assert not baskets.duplicated(key).any()


def test_planted_bundles_are_the_top_lift_rules(
    generated_build: DbtRun, generated_data: Path
) -> None:
    """The products of each planted bundle, paired within the bundle in both directions, are
    exactly the rules of highest lift."""
    bundles = pd.read_csv(generated_data / "truth" / "bundles.csv", dtype=str)
    planted = {
        (a, b)
        for _, members in bundles.groupby("bundle_id")["product_id"]
        for a, b in itertools.permutations(members, 2)
    }
    rules = generated_build.df("fct_item_pair_associations").sort_values(
        ["lift", "antecedent_product_id", "consequent_product_id"], ascending=[False, True, True]
    )
    top = rules.head(len(planted))
    assert set(zip(top["antecedent_product_id"], top["consequent_product_id"], strict=True)) == (
        planted
    )
    assert top["lift"].min() > 10 * rules["lift"].iloc[len(planted) :].median()


# ------------------------------------------------------- recommendations equal the oracle


@pytest.mark.parametrize("build", ["sample_build", "generated_build"])
def test_recommendations_match_the_oracle(build: str, request: pytest.FixtureRequest) -> None:
    """Item CF similarities (both contexts), every method's evaluation lists, the evaluation,
    fct_customer_recommendations and fct_customer_buy_again equal the pandas/numpy oracle:
    identical products, ranks and reasons, scores within 1e-9, counts and the choice exact."""
    run: DbtRun = request.getfixturevalue(build)
    reco = settings()
    baskets = baskets_of(run)

    purchases = oracle.customer_products(baskets)
    expected_similarities = oracle.item_similarities(
        oracle.recent_histories(purchases, reco.history_max_products),
        reco.cf_shrinkage,
        reco.cf_neighbours,
    )
    mart_similarities = similarities(run)
    current = mart_similarities[mart_similarities["context"] == "current"]
    current = current.sort_values(["product_id", "neighbour_rank"]).reset_index(drop=True)
    key = ["product_id", "neighbour_product_id", "neighbour_rank", "pair_customer_count"]
    assert current[key].values.tolist() == expected_similarities[key].values.tolist()
    np.testing.assert_allclose(
        current["similarity"], expected_similarities["similarity"], atol=1e-9
    )

    hidden = oracle.holdout_orders(baskets, reco)
    training = baskets[~baskets["order_id"].isin(set(hidden["order_id"]))]
    customers = sorted(hidden["customer_id"])
    expected_lists = {
        "new_products": oracle.recommendations(training, reco, customers),
        "repeat_purchases": oracle.buy_again(training, reco, customers),
    }
    lists = evaluation_lists(run)
    for target, methods in expected_lists.items():
        for method, expected in methods.items():
            chosen = lists[(lists["recommendation_target"] == target) & (lists["method"] == method)]
            assert_same_lists(chosen, expected, f"{target} {method}")

    evaluation = oracle.evaluation(baskets, reco)
    assert_same_evaluation(run.df("fct_recommendation_evaluation"), evaluation)

    chosen = evaluation[evaluation["is_chosen"]].set_index("recommendation_target")["method"]
    recommendations = run.df("fct_customer_recommendations")
    assert set(recommendations["method"]) == {chosen["new_products"]}
    expected = oracle.recommendations(baskets, reco)[chosen["new_products"]]
    assert_same_lists(recommendations, expected, "fct_customer_recommendations")
    buy_again = run.df("fct_customer_buy_again")
    assert set(buy_again["method"]) == {chosen["repeat_purchases"]}
    expected = oracle.buy_again(baskets, reco)[chosen["repeat_purchases"]]
    assert_same_lists(buy_again, expected, "fct_customer_buy_again")


def test_item_cf_wins_on_generated_data(generated_build: DbtRun) -> None:
    """On generated data (planted archetypes, favourites, bundles and a follow-up) item CF
    beats the rules and both beat popularity on new products; buying again beats popularity on
    repeat purchases; the marts use the winners."""
    new = evaluation_by_method(generated_build, "new_products")
    assert new["item_cf"]["is_chosen"]
    assert new["item_cf"]["evaluated_customer_count"] > 1000
    assert new["item_cf"]["hit_rate"] > new["association_rules"]["hit_rate"] + 0.02
    assert new["association_rules"]["hit_rate"] > new["popularity"]["hit_rate"] + 0.1
    repeat = evaluation_by_method(generated_build, "repeat_purchases")
    assert repeat["buy_again"]["is_chosen"]
    assert repeat["buy_again"]["hit_rate"] > repeat["popularity"]["hit_rate"] + 0.1


def test_follow_up_found_by_item_cf_not_by_rules(
    generated_build: DbtRun, generated_data: Path
) -> None:
    """The planted follow-up (first product, later product, never in one basket): no rule
    pairs them; they are each other's most similar product, the most similar pair of all;
    every customer with the first product in their recent history who has not bought the later
    one is offered it by item CF with the first as reason; on the held-out orders holding the
    later product after the first, item CF lists it for most customers and the rules for none."""
    follow_up = pd.read_csv(generated_data / "truth" / "follow_ups.csv", dtype=str).iloc[0]
    first, later = follow_up["first_product_id"], follow_up["later_product_id"]
    baskets = baskets_of(generated_build)
    holding = baskets[baskets["product_id"].isin([first, later])]
    assert not holding.duplicated("order_id").any(), "never in one basket"

    for rules in ("fct_item_pair_associations", "int_recommendation_training_rules"):
        pairs = generated_build.df(rules)
        together = pairs["antecedent_product_id"].isin([first, later]) & pairs[
            "consequent_product_id"
        ].isin([first, later])
        assert not together.any(), rules

    current = similarities(generated_build).query("context == 'current'")
    top = current.sort_values("similarity", ascending=False).iloc[0]
    assert {top["product_id"], top["neighbour_product_id"]} == {first, later}
    best = current[current["neighbour_rank"] == 1].set_index("product_id")["neighbour_product_id"]
    assert best[first] == later and best[later] == first

    histories = generated_build.df(
        "select customers.customer_id, products.product_id "
        "from int_customer_histories_capped as histories "
        "inner join int_recommendation_customers_numbered as customers "
        "on histories.customer_number = customers.customer_number "
        "inner join int_recommendation_products_ranked as products "
        "on histories.product_number = products.product_number "
        "where histories.context = 'current'"
    )
    bought_later = set(baskets.loc[baskets["product_id"] == later, "customer_id"])
    waiting = set(histories.loc[histories["product_id"] == first, "customer_id"]) - bought_later
    offers = generated_build.df("fct_customer_recommendations").query("product_id == @later")
    assert len(waiting) >= 5
    assert waiting <= set(offers.loc[offers["reason"] == first, "customer_id"])

    hidden = generated_build.df(
        "select customers.customer_id from int_customer_products_summarized as purchases "
        "inner join int_recommendation_customers_numbered as customers "
        "on purchases.customer_number = customers.customer_number "
        "inner join int_recommendation_products_ranked as products "
        "on purchases.product_number = products.product_number "
        f"where products.product_id = '{later}' and purchases.is_in_holdout_order "
        "and purchases.training_order_count = 0"
    )["customer_id"]
    evaluation_histories = generated_build.df(
        "select customers.customer_id from int_customer_histories_capped as histories "
        "inner join int_recommendation_customers_numbered as customers "
        "on histories.customer_number = customers.customer_number "
        "inner join int_recommendation_products_ranked as products "
        "on histories.product_number = products.product_number "
        f"where histories.context = 'evaluation' and products.product_id = '{first}'"
    )["customer_id"]
    cases = set(hidden) & set(evaluation_histories)
    lists = evaluation_lists(generated_build).query("product_id == @later")
    found = {m: set(lists.loc[lists["method"] == m, "customer_id"]) & cases for m in lists.method}
    assert len(cases) >= 10
    assert len(found.get("item_cf", set())) >= 0.8 * len(cases)
    assert not found.get("association_rules")


# ------------------------------------------------------------- bundled sample, support 0


def test_sample_with_zero_min_support(tmp_path: Path) -> None:
    """assoc_min_support 0 and assoc_min_pair_count 1 on the bundled sample: every pair seen
    together is a rule, the data tests pass, and the rules equal the pandas computation."""
    run = run_dbt(
        ["build", *ASSOCIATION_MARTS],
        tmp_path,
        {"assoc_min_support": 0, "assoc_min_confidence": 0, "assoc_min_pair_count": 1},
    ).check()
    baskets = baskets_of(run)
    assert_same_rules(run.df("fct_item_pair_associations"), oracle.pair_rules(baskets, 0, 0, 1))
    assert_same_rules(
        run.df("fct_category_pair_associations"),
        oracle.pair_rules(baskets, 0, 0, 1, item_column="category"),
        item="category",
    )


# --------------------------------------------------------------------- real datasets


def arules_groceries_to_flat(path: Path) -> pd.DataFrame:
    """arules `groceries.csv` (one basket per line) as flat lines: order_id = the line number,
    no customer (guest orders), product_id = the item, a fixed date, quantity and price 1."""
    rows: list[tuple[str, str]] = []
    with path.open(newline="") as handle:
        for number, items in enumerate(csv.reader(handle), start=1):
            for item in dict.fromkeys(i.strip() for i in items if i.strip()):
                rows.append((f"{number:06d}", item))
    lines = pd.DataFrame(rows, columns=["order_id", "product_id"])
    lines = lines.assign(customer_id="", order_date="2020-01-01", quantity="1", unit_price="1")
    return lines[FLAT_COLUMNS]


def kaggle_groceries_to_flat(path: Path) -> pd.DataFrame:
    """Kaggle `Groceries_dataset.csv` (Member_number, Date dd-mm-yyyy, itemDescription) as flat
    lines: a basket is one member on one date (order_id '<member>|<yyyy-mm-dd>'), the member is
    the customer, quantity and price 1."""
    raw = pd.read_csv(path, dtype=str)
    order_date = pd.to_datetime(raw["Date"], format="%d-%m-%Y").dt.strftime("%Y-%m-%d")
    lines = pd.DataFrame(
        {
            "order_id": raw["Member_number"] + "|" + order_date,
            "customer_id": raw["Member_number"],
            "order_date": order_date,
            "product_id": raw["itemDescription"].str.strip(),
            "quantity": "1",
            "unit_price": "1",
        }
    )
    return lines[FLAT_COLUMNS]


def write_flat_input(lines: pd.DataFrame, data_dir: Path) -> None:
    """Write flat lines as `<data_dir>/transactions.csv`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lines.to_csv(data_dir / "transactions.csv", index=False)


@pytest.mark.shared
def test_arules_groceries_published_rules(tmp_path: Path) -> None:
    """arules Groceries, support >= 0.006, confidence >= 0.25: 150 single-item rules, top lift
    {herbs} -> {root vegetables} 3.9565 (support 0.0070158, confidence 0.43125), and the same
    rules and metrics as mlxtend within 1e-9."""
    lines = arules_groceries_to_flat(shared_dataset("groceries_arules/groceries.csv"))
    write_flat_input(lines, tmp_path / "data")
    thresholds = {"assoc_min_support": 0.006, "assoc_min_confidence": 0.25}
    run = run_dbt(
        ["build", *ASSOCIATION_MARTS],
        tmp_path,
        {"data_dir": str(tmp_path / "data"), "assoc_min_pair_count": 1, **thresholds},
    ).check()
    rules = run.df("fct_item_pair_associations").sort_values("lift", ascending=False)
    assert len(rules) == 150
    assert (rules["total_orders"] == 9835).all()
    top = rules.iloc[0]
    assert (top["antecedent_product_id"], top["consequent_product_id"]) == (
        "herbs",
        "root vegetables",
    )
    assert top["lift"] == pytest.approx(3.9565, abs=5e-5)
    assert top["support"] == pytest.approx(0.0070158, abs=5e-8)
    assert top["confidence"] == pytest.approx(0.43125, abs=1e-12)
    assert_same_rules(rules, mlxtend_pair_rules(lines, 0.006, 0.25, 1))
    assert run.scalar("select count(*) from fct_customer_recommendations") == 0, "no customers"


@pytest.mark.shared
def test_kaggle_groceries_evaluation(tmp_path: Path) -> None:
    """Kaggle Groceries (basket = member + date): 14,963 baskets, whole milk in 2,363 (the
    published figures); the evaluation equals the oracle's. On these baskets nothing beats
    popularity on new products (the items barely co-occur beyond chance): the chosen method's
    hit rate@10 is at least popularity's, and far above chance."""
    write_flat_input(
        kaggle_groceries_to_flat(shared_dataset("groceries_kaggle/Groceries_dataset.csv")),
        tmp_path / "data",
    )
    run = run_dbt(["build", *ASSOCIATION_MARTS], tmp_path, {"data_dir": str(tmp_path / "data")})
    run.check()
    assert run.scalar("select count(distinct order_id) from int_basket_products_deduplicated") == (
        14963
    )
    milk = run.scalar(
        "select count(*) from int_basket_products_deduplicated where product_id = 'whole milk'"
    )
    assert milk == 2363
    assert_same_evaluation(
        run.df("fct_recommendation_evaluation"), oracle.evaluation(baskets_of(run), settings())
    )
    for target in ("new_products", "repeat_purchases"):
        evaluation = evaluation_by_method(run, target)
        print(f"Kaggle Groceries, {target}: {evaluation}")
        chosen = next(row for row in evaluation.values() if row["is_chosen"])
        assert chosen["evaluated_customer_count"] > 1000
        assert chosen["hit_rate"] >= evaluation["popularity"]["hit_rate"]
    new = evaluation_by_method(run, "new_products")
    chance = 10 / 167 * new["popularity"]["relevant_product_count"]
    assert (
        new["popularity"]["hit_rate"] > 3 * chance / new["popularity"]["evaluated_customer_count"]
    )
