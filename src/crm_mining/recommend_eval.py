"""Basket datasets in the project's flat input layout, and an independent check of the rules.

The public basket datasets (arules Groceries, Kaggle Groceries) come in their own layouts; the
functions here turn them into `transactions.csv` of the flat input layout, so that the dbt
project reads them like any input. `pair_rules` recomputes the pairwise rules of
`fct_item_pair_associations` in plain pandas (the oracle of the tests and benchmarks), and
`offline_evaluation` recomputes the figures of `fct_recommendation_evaluation` from its
inputs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

FLAT_COLUMNS = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]


def arules_groceries_to_flat(path: Path) -> pd.DataFrame:
    """arules `groceries.csv` (one basket per line, comma-separated, no header) as flat lines.

    order_id = the 1-based line number (zero-padded), customer_id empty (guest orders),
    product_id = item name, quantity and unit_price 1, a fixed order_date. A line without items
    is not a basket and is skipped.
    """
    rows: list[tuple[str, str]] = []
    with path.open(newline="") as handle:
        for number, items in enumerate(csv.reader(handle), start=1):
            for item in dict.fromkeys(i.strip() for i in items if i.strip()):
                rows.append((f"{number:06d}", item))
    lines = pd.DataFrame(rows, columns=["order_id", "product_id"])
    lines["customer_id"] = ""
    lines["order_date"] = "2020-01-01"
    lines["quantity"] = "1"
    lines["unit_price"] = "1"
    return lines[FLAT_COLUMNS]


def kaggle_groceries_to_flat(path: Path) -> pd.DataFrame:
    """Kaggle `Groceries_dataset.csv` (Member_number, Date dd-mm-yyyy, itemDescription), flat.

    A basket is one member on one date: order_id = '<member>|<yyyy-mm-dd>', customer_id = the
    member, product_id = the item name, quantity and unit_price 1. Repeated items of a basket
    stay repeated lines (the project counts a product once per order).
    """
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


def write_flat_input(lines: pd.DataFrame, data_dir: Path) -> Path:
    """Write flat lines as `<data_dir>/transactions.csv` (a data_dir of the flat layout)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "transactions.csv"
    lines.to_csv(path, index=False)
    return path


def pair_rules(
    baskets: pd.DataFrame,
    min_support: float = 0.0,
    min_confidence: float = 0.0,
    min_pair_count: int = 1,
    basket_column: str = "order_id",
    item_column: str = "product_id",
) -> pd.DataFrame:
    """Every rule A -> B between two single items, from (basket, item) rows, in pandas.

    Independent of the SQL: a basket x item incidence matrix, pair counts by matrix product.
    Returns antecedent, consequent, pair_order_count, antecedent_order_count,
    consequent_order_count, total_orders, support, confidence, lift, leverage, conviction
    (NaN when confidence is 1), for pairs with support >= min_support,
    confidence >= min_confidence and pair count >= min_pair_count.
    """
    pairs = baskets[[basket_column, item_column]].drop_duplicates()
    basket_codes, _ = pd.factorize(pairs[basket_column])
    item_codes, items = pd.factorize(pairs[item_column])
    total = int(basket_codes.max()) + 1 if len(pairs) else 0
    incidence = sparse.csr_matrix(
        (np.ones(len(pairs), dtype=np.int64), (basket_codes, item_codes)),
        shape=(total, len(items)),
    )
    counts = np.asarray(incidence.sum(axis=0)).ravel()
    together = (incidence.T @ incidence).tocoo()
    off_diagonal = together.row != together.col
    antecedent = together.row[off_diagonal]
    consequent = together.col[off_diagonal]
    pair_count = together.data[off_diagonal]
    rules = pd.DataFrame(
        {
            "antecedent": np.asarray(items)[antecedent],
            "consequent": np.asarray(items)[consequent],
            "pair_order_count": pair_count.astype(np.int64),
            "antecedent_order_count": counts[antecedent].astype(np.int64),
            "consequent_order_count": counts[consequent].astype(np.int64),
            "total_orders": total,
        }
    )
    rules["support"] = rules["pair_order_count"] / total
    rules["confidence"] = rules["pair_order_count"] / rules["antecedent_order_count"]
    consequent_support = rules["consequent_order_count"] / total
    antecedent_support = rules["antecedent_order_count"] / total
    rules["lift"] = rules["confidence"] / consequent_support
    rules["leverage"] = rules["support"] - antecedent_support * consequent_support
    rules["conviction"] = np.where(
        rules["confidence"] < 1, (1 - consequent_support) / (1 - rules["confidence"]), np.nan
    )
    kept = (
        (rules["support"] >= min_support)
        & (rules["confidence"] >= min_confidence)
        & (rules["pair_order_count"] >= min_pair_count)
    )
    return rules[kept].sort_values(["antecedent", "consequent"]).reset_index(drop=True)


def _is_in(frame: pd.DataFrame, product_column: str, keys: set[tuple[str, str]]) -> np.ndarray:
    """Boolean mask: (customer_id, product_column) of each row is in keys."""
    pairs = zip(frame["customer_id"], frame[product_column], strict=True)
    return np.fromiter((pair in keys for pair in pairs), dtype=bool, count=len(frame))


def recommend(
    baskets: pd.DataFrame, rules: pd.DataFrame, top_n: int, total_orders: int | None = None
) -> pd.DataFrame:
    """The recommendations of fct_customer_recommendations, recomputed in pandas.

    baskets: order_id, product_id, customer_id (None for guests). rules: antecedent,
    consequent, confidence. Each antecedent keeps its top_n rules by confidence (ties by
    consequent); a customer's score of a product they never bought is the sum of those rules'
    confidences over the antecedents they bought; reason = the antecedent of the most
    confident one (ties by antecedent); confidences are rounded to 15 decimals and summed
    exactly. Scored products first (score desc, product_id), then
    the most popular products not bought (order count desc, product_id), score = support,
    reason 'popular'. Returns customer_id, product_id, recommendation_rank, score, reason.
    """
    lines = baskets[["order_id", "product_id", "customer_id"]].drop_duplicates(
        ["order_id", "product_id"]
    )
    total_orders = lines["order_id"].nunique() if total_orders is None else total_orders
    bought = lines.loc[lines["customer_id"].notna(), ["customer_id", "product_id"]]
    bought = bought.drop_duplicates()
    bought_keys = set(zip(bought["customer_id"], bought["product_id"], strict=True))

    neighbours = rules.sort_values(
        ["antecedent", "confidence", "consequent"], ascending=[True, False, True]
    )
    neighbours = neighbours.groupby("antecedent", sort=False).head(top_n)
    matches = bought.merge(neighbours, left_on="product_id", right_on="antecedent")
    matches = matches[~_is_in(matches, "consequent", bought_keys)]
    # Each confidence rounded to 15 decimals and summed exactly (as integers), like the SQL.
    matches = matches.assign(
        units=np.floor(matches["confidence"].to_numpy(float) * 1e15 + 0.5).astype(np.int64)
    )
    scored = (
        matches.sort_values(
            ["customer_id", "consequent", "confidence", "antecedent"],
            ascending=[True, True, False, True],
        )
        .groupby(["customer_id", "consequent"], sort=False)
        .agg(units=("units", "sum"), reason=("antecedent", "first"))
        .reset_index()
        .rename(columns={"consequent": "product_id"})
    )
    scored["score"] = scored["units"] / 1e15
    scored = scored.sort_values(
        ["customer_id", "units", "product_id"], ascending=[True, False, True]
    )
    scored["recommendation_rank"] = scored.groupby("customer_id").cumcount() + 1
    scored = scored[scored["recommendation_rank"] <= top_n]

    popularity = lines.groupby("product_id").size().rename("order_count").reset_index()
    popularity = popularity.sort_values(["order_count", "product_id"], ascending=[False, True])
    popularity["score"] = popularity["order_count"] / total_orders
    customers = bought["customer_id"].drop_duplicates()
    candidates = customers.to_frame().merge(popularity[["product_id", "score"]], how="cross")
    taken = bought_keys | set(zip(scored["customer_id"], scored["product_id"], strict=True))
    candidates = candidates[~_is_in(candidates, "product_id", taken)]
    association_count = scored.groupby("customer_id").size()
    candidates["recommendation_rank"] = (
        candidates.groupby("customer_id", sort=False).cumcount()
        + 1
        + candidates["customer_id"].map(association_count).fillna(0).astype(int)
    )
    popular = candidates[candidates["recommendation_rank"] <= top_n].assign(reason="popular")

    columns = ["customer_id", "product_id", "recommendation_rank", "score", "reason"]
    result = pd.concat([scored[columns], popular[columns]], ignore_index=True)
    return result.sort_values(["customer_id", "recommendation_rank"]).reset_index(drop=True)


def offline_evaluation(
    baskets: pd.DataFrame,
    top_n: int,
    min_support: float,
    min_confidence: float,
    min_pair_count: int,
) -> pd.DataFrame:
    """fct_recommendation_evaluation recomputed in pandas, from (order, product) rows.

    baskets: order_id, product_id, customer_id, ordered_at. Each customer's last order
    (ordered_at, then order_id) is hidden; rules (`pair_rules`), popularity and
    recommendations (`recommend`) come from the other baskets. A customer is evaluated when
    they have another basket and the hidden order holds a product they had not bought before.
    Returns one row per recommender: recommender, top_n, evaluated_customer_count,
    relevant_product_count, hit_product_count, hit_rate, recall.
    """
    lines = baskets[["order_id", "product_id", "customer_id", "ordered_at"]].drop_duplicates(
        ["order_id", "product_id"]
    )
    orders = lines.loc[lines["customer_id"].notna(), ["customer_id", "order_id", "ordered_at"]]
    orders = orders.drop_duplicates("order_id").sort_values(
        ["customer_id", "ordered_at", "order_id"]
    )
    holdout_orders = set(orders.groupby("customer_id").tail(1)["order_id"])
    is_holdout = lines["order_id"].isin(holdout_orders)
    training, holdout = lines[~is_holdout], lines[is_holdout]

    history = training.loc[training["customer_id"].notna(), ["customer_id", "product_id"]]
    history_keys = set(zip(history["customer_id"], history["product_id"], strict=True))
    relevant = holdout[~_is_in(holdout, "product_id", history_keys)]
    relevant = relevant[relevant["customer_id"].isin(set(history["customer_id"]))]
    relevant_counts = relevant.groupby("customer_id").size()
    relevant_keys = set(zip(relevant["customer_id"], relevant["product_id"], strict=True))

    rules = pair_rules(training, min_support, min_confidence, min_pair_count)
    no_rules = rules.iloc[0:0]
    rows = []
    for recommender, recommender_rules in [
        ("association_rules", rules),
        ("most_popular", no_rules),
    ]:
        recommendations = recommend(training, recommender_rules, top_n)
        is_hit = _is_in(recommendations, "product_id", relevant_keys)
        hits = recommendations[is_hit].groupby("customer_id").size()
        hits = hits.reindex(relevant_counts.index, fill_value=0)
        rows.append(
            {
                "recommender": recommender,
                "top_n": top_n,
                "evaluated_customer_count": len(relevant_counts),
                "relevant_product_count": int(relevant_counts.sum()),
                "hit_product_count": int(hits.sum()),
                "hit_rate": float((hits > 0).mean()),
                "recall": float((hits / relevant_counts).mean()),
            }
        )
    return pd.DataFrame(rows)
