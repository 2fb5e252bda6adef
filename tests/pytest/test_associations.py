"""Association rules: the pairwise rules equal mlxtend and an independent pandas computation
(generated data, the bundled sample with no minimum support, arules Groceries with its published
figures); planted bundles are the top-lift rules. The recommendations: test_recommendations.py."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_DIR, UNIT_TESTS_RUN_ELSEWHERE, DbtRun, run_dbt, shared_dataset
from mlxtend.frequent_patterns import association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder
from reco_oracle import Settings, baskets_of
from rules_oracle import pair_rules

METRICS = ["support", "confidence", "lift", "leverage", "conviction"]
COUNTS = ["pair_order_count", "antecedent_order_count", "consequent_order_count", "total_orders"]
RULE_MARTS = [
    *UNIT_TESTS_RUN_ELSEWHERE,
    "--select",
    "+fct_item_pair_associations",
    "+fct_category_pair_associations",
]
FLAT_COLUMNS = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]


def mlxtend_pair_rules(
    baskets: pd.DataFrame,
    min_support: float,
    min_confidence: float,
    min_pair_count: int,
    all_orders: list[str] | None = None,
) -> pd.DataFrame:
    """Single-item rules X -> Y by mlxtend (fpgrowth on itemsets of length <= 2). all_orders:
    the baskets counted (an order absent from baskets counts as an empty one); default: the
    orders of baskets."""
    products = baskets.groupby("order_id")["product_id"].apply(list)
    orders = products.index.tolist() if all_orders is None else all_orders
    transactions = [products.get(order, []) for order in orders]
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


# ---------------------------------------------------------------------- rules, generated data


def test_generated_rules_match_mlxtend_and_pandas(generated_build: DbtRun) -> None:
    """Every rule and metric of fct_item_pair_associations (default vars) equals mlxtend's
    fpgrowth + association_rules and the pandas incidence-matrix computation."""
    reco = Settings.from_project(PROJECT_DIR)
    thresholds = (reco.min_support, reco.min_confidence, reco.min_pair_count)
    baskets = baskets_of(generated_build)
    mart = generated_build.df("fct_item_pair_associations")
    assert_same_rules(mart, mlxtend_pair_rules(baskets, *thresholds))
    assert_same_rules(mart, pair_rules(baskets, *thresholds))
    assert (mart["total_orders"] == baskets["order_id"].nunique()).all()


def test_generated_category_rules_match_pandas(generated_build: DbtRun) -> None:
    """fct_category_pair_associations equals the pandas computation on (order, category)."""
    reco = Settings.from_project(PROJECT_DIR)
    expected = pair_rules(
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


# ------------------------------------------------------------- bundled sample, support 0


def test_sample_with_zero_min_support(tmp_path: Path) -> None:
    """assoc_min_support 0 and assoc_min_pair_count 1 on the bundled sample: every pair seen
    together is a rule, the data tests pass, and the rules equal the pandas computation.
    Its own build (of the rule marts alone): these vars change which rules exist, so no shared
    build of the default vars holds them."""
    run = run_dbt(
        ["build", *RULE_MARTS],
        tmp_path,
        {"assoc_min_support": 0, "assoc_min_confidence": 0, "assoc_min_pair_count": 1},
    ).check()
    baskets = baskets_of(run)
    assert_same_rules(run.df("fct_item_pair_associations"), pair_rules(baskets, 0, 0, 1))
    assert_same_rules(
        run.df("fct_category_pair_associations"),
        pair_rules(baskets, 0, 0, 1, item_column="category"),
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


def arules_groceries_build(request: pytest.FixtureRequest, tmp_path: Path) -> DbtRun:
    """arules Groceries built with the default vars: the suite's shared whole-project build
    (conftest's `dataset_build`) where the suite has one, else a build of the rule marts from
    this file's converter."""
    try:
        dataset_build = request.getfixturevalue("dataset_build")
    except pytest.FixtureLookupError:
        lines = arules_groceries_to_flat(shared_dataset("groceries_arules/groceries.csv"))
        (tmp_path / "data").mkdir()
        lines.to_csv(tmp_path / "data" / "transactions.csv", index=False)
        return run_dbt(
            ["build", *RULE_MARTS, "+fct_customer_recommendations"],
            tmp_path,
            {"data_dir": str(tmp_path / "data")},
        ).check()
    return dataset_build("arules_groceries").check()


@pytest.mark.shared
def test_arules_groceries_published_rules(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """arules Groceries, support >= 0.006, confidence >= 0.25: 150 single-item rules, top lift
    {herbs} -> {root vegetables} 3.9565 (support 0.0070158, confidence 0.43125), and the same
    rules and metrics as mlxtend within 1e-9. The thresholds are applied to the rules of the
    default vars (support 0.0001, at least 2 baskets: 1 basket in 9,835): a rule's metrics do
    not depend on the thresholds, and every rule of support 0.006 is among them."""
    defaults = Settings.from_project(PROJECT_DIR)
    assert defaults.min_support <= 0.006 and defaults.min_confidence <= 0.25
    assert defaults.min_pair_count <= 0.006 * 9835
    lines = arules_groceries_to_flat(shared_dataset("groceries_arules/groceries.csv"))
    run = arules_groceries_build(request, tmp_path)
    rules = run.df("fct_item_pair_associations")
    rules = rules[(rules["support"] >= 0.006) & (rules["confidence"] >= 0.25)]
    rules = rules.sort_values("lift", ascending=False)
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
