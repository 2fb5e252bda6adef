"""Test oracle: the recommendation marts recomputed in pandas/numpy from their definitions.

Independent of the SQL (no shared code, other algorithms: sparse incidence matrices and matrix
products instead of self-joins, sorting instead of windows), from the baskets: one row per
(order, product) with customer_id (None for guests) and ordered_at; and, for what a customer
returned in full (no buy-again candidate), the kept order lines with their quantities.
Definitions are those of docs/associations.md; the functions follow the models:

- `holdout_orders`: int_recommendation_holdout_orders (md5-seeded sample of customers with two
  orders or more, their last order);
- `rules_oracle.pair_rules`: fct_item_pair_associations (and the evaluation's training rules);
- `item_similarities`: int_product_similarities (item-to-item cosine with shrinkage);
- `recommendations`: every method's new-product lists (fct_customer_recommendations);
- `buy_again`: the repeat-purchase lists (fct_customer_buy_again);
- `evaluation`: fct_recommendation_evaluation.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from rules_oracle import pair_rules
from scipy import sparse

NEW_METHODS = ("popularity", "association_rules", "item_cf", "blend")
REPEAT_METHODS = ("popularity", "buy_again")
SCORED_METHODS = ("association_rules", "item_cf")
RRF_CONSTANT = 60
LIST_COLUMNS = ["customer_id", "recommendation_rank", "product_id", "score", "reason"]


@dataclass(frozen=True)
class Settings:
    """The vars the recommendations read (defaults: dbt_project.yml)."""

    top_n: int
    history_max_products: int
    cf_neighbours: int
    cf_shrinkage: float
    eval_max_customers: int | None
    random_seed: int
    min_support: float
    min_confidence: float
    min_pair_count: int
    min_gain_z: float
    method: str | None = None
    buy_again_method: str | None = None

    @classmethod
    def from_project(cls, project_dir: Path, **overrides: Any) -> Settings:
        """The defaults of dbt_project.yml, with overrides by field name."""
        project_vars = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
        settings = cls(
            top_n=project_vars["reco_top_n"],
            history_max_products=project_vars["reco_history_max_products"],
            cf_neighbours=project_vars["reco_cf_neighbours"],
            cf_shrinkage=project_vars["reco_cf_shrinkage"],
            eval_max_customers=project_vars["reco_eval_max_customers"],
            random_seed=project_vars["random_seed"],
            min_support=project_vars["assoc_min_support"],
            min_confidence=project_vars["assoc_min_confidence"],
            min_pair_count=project_vars["assoc_min_pair_count"],
            method=project_vars["reco_method"],
            buy_again_method=project_vars["reco_buy_again_method"],
            min_gain_z=project_vars["reco_min_gain_z"],
        )
        return replace(settings, **overrides)


# ------------------------------------------------------------------------------ baskets


def baskets_of(run: Any) -> pd.DataFrame:
    """The (order, product) baskets of a build (a conftest.DbtRun), with the order's time, the
    product's category, and None for a guest's customer."""
    baskets = run.df(
        "select baskets.order_id, baskets.product_id, baskets.customer_id, baskets.ordered_at, "
        "products.category "
        "from int_basket_products_deduplicated as baskets "
        "inner join int_products_resolved as products on baskets.product_id = products.product_id"
    )
    baskets["customer_id"] = baskets["customer_id"].astype(object)
    return baskets.where(baskets.notna(), None)


def lines_of(run: Any) -> pd.DataFrame:
    """customer_id, product_id, order_id, quantity of a build's kept lines of customers."""
    return run.df(
        "select customer_id, product_id, order_id, quantity from int_order_lines_cleaned"
        " where customer_id is not null"
    )


def returned_in_full(lines: pd.DataFrame, left_out_orders: frozenset = frozenset()) -> set:
    """(customer_id, product_id) pairs whose lines (but those of left_out_orders) sum to a
    quantity of 0 or less: all that was bought was returned."""
    kept = lines[~lines["order_id"].isin(left_out_orders)]
    net = kept.groupby(["customer_id", "product_id"])["quantity"].sum().round(3)  # DECIMAL(18,3)
    return set(net[net <= 0].index)


def returned_pairs(lines: pd.DataFrame, left_out_orders: frozenset = frozenset()) -> set:
    """(customer_id, product_id) pairs with a return line (quantity < 0) outside
    left_out_orders, the purchase in the data or not: never offered as new."""
    returns = lines[(lines["quantity"] < 0) & ~lines["order_id"].isin(left_out_orders)]
    return set(zip(returns["customer_id"], returns["product_id"], strict=True))


def _distinct(baskets: pd.DataFrame) -> pd.DataFrame:
    return baskets[["order_id", "product_id", "customer_id", "ordered_at"]].drop_duplicates(
        ["order_id", "product_id"]
    )


def holdout_orders(baskets: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """customer_id, order_id: the last order (by ordered_at) of the customers with two orders or
    more whose latest ordered_at holds one order only, the first eval_max_customers of them by
    md5('<id>:<seed>'), then id."""
    orders = _distinct(baskets).dropna(subset=["customer_id"]).drop_duplicates("order_id")
    orders = orders.sort_values(["customer_id", "ordered_at", "order_id"])
    counts = orders.groupby("customer_id").size()
    at_same_time = orders.groupby(["customer_id", "ordered_at"])["order_id"].transform("size")
    last = orders.groupby("customer_id").tail(1)
    single_last = at_same_time.loc[last.index] == 1
    last = last[(last["customer_id"].map(counts) >= 2) & single_last].copy()
    last["hash"] = [
        hashlib.md5(f"{c}:{settings.random_seed}".encode()).hexdigest() for c in last["customer_id"]
    ]
    last = last.sort_values(["hash", "customer_id"])
    if settings.eval_max_customers is not None:
        last = last.head(settings.eval_max_customers)
    return last[["customer_id", "order_id"]].reset_index(drop=True)


def customer_products(baskets: pd.DataFrame) -> pd.DataFrame:
    """customer_id, product_id, order_count, last_ordered_at of the customers' baskets."""
    lines = _distinct(baskets).dropna(subset=["customer_id"])
    return (
        lines.groupby(["customer_id", "product_id"])
        .agg(order_count=("order_id", "size"), last_ordered_at=("ordered_at", "max"))
        .reset_index()
    )


def recent_histories(
    purchases: pd.DataFrame,
    max_products: int,
    ranked_products: pd.DataFrame,
    returned_in_full: set | frozenset = frozenset(),
) -> pd.DataFrame:
    """Each customer's max_products latest products they kept (last_ordered_at desc,
    order_count desc, popularity_rank of ranked_products): the (customer_id, product_id) pairs
    of returned_in_full are left out."""
    pairs = zip(purchases["customer_id"], purchases["product_id"], strict=True)
    kept = purchases[[pair not in returned_in_full for pair in pairs]]
    kept = kept.merge(ranked_products[["product_id", "popularity_rank"]], on="product_id")
    ordered = kept.sort_values(
        ["customer_id", "last_ordered_at", "order_count", "popularity_rank"],
        ascending=[True, False, False, True],
    )
    return ordered.groupby("customer_id").head(max_products)[["customer_id", "product_id"]]


def popularity(baskets: pd.DataFrame) -> pd.DataFrame:
    """product_id, order_count, popularity_rank (count desc, product_id), popularity_score."""
    lines = _distinct(baskets)
    counts = lines.groupby("product_id").size().rename("order_count").reset_index()
    counts = counts.sort_values(["order_count", "product_id"], ascending=[False, True])
    counts["popularity_rank"] = np.arange(1, len(counts) + 1)
    counts["popularity_score"] = counts["order_count"] / lines["order_id"].nunique()
    return counts.reset_index(drop=True)


# -------------------------------------------------------------------------- neighbours


def item_similarities(histories: pd.DataFrame, shrinkage: float, neighbours: int) -> pd.DataFrame:
    """product_id, neighbour_product_id, pair_customer_count, similarity, neighbour_rank: a
    customer x product incidence matrix of the histories, co-counts by matrix product,
    similarity = n_ab / sqrt(n_a n_b) * n_ab / (n_ab + shrinkage), the `neighbours` best per
    product (similarity desc, then neighbour id)."""
    customer_codes, _ = pd.factorize(histories["customer_id"])
    product_codes, products = pd.factorize(histories["product_id"])
    incidence = sparse.csr_matrix(
        (np.ones(len(histories), dtype=np.int64), (customer_codes, product_codes)),
        shape=(customer_codes.max() + 1 if len(histories) else 0, len(products)),
    )
    counts = np.asarray(incidence.sum(axis=0)).ravel()
    together = (incidence.T @ incidence).tocoo()
    off_diagonal = together.row != together.col
    first, second = together.row[off_diagonal], together.col[off_diagonal]
    pair_count = together.data[off_diagonal].astype(np.int64)
    # The same operations, in the same order, as the SQL: identical doubles.
    cosine = pair_count / np.sqrt((counts[first] * counts[second]).astype(np.float64))
    similarity = cosine * (pair_count / (pair_count + shrinkage).astype(np.float64))
    pairs = pd.DataFrame(
        {
            "product_id": np.asarray(products)[first],
            "neighbour_product_id": np.asarray(products)[second],
            "pair_customer_count": pair_count,
            "similarity": similarity,
        }
    ).sort_values(
        ["product_id", "similarity", "neighbour_product_id"], ascending=[True, False, True]
    )
    pairs["neighbour_rank"] = pairs.groupby("product_id").cumcount() + 1
    return pairs[pairs["neighbour_rank"] <= neighbours].reset_index(drop=True)


def _neighbours(rules: pd.DataFrame, similarities: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """method, product_id, neighbour_product_id, weight: each product's top_n most confident
    rules and its kept similarities."""
    ranked = rules.sort_values(
        ["antecedent", "confidence", "consequent"], ascending=[True, False, True]
    )
    ranked = ranked.groupby("antecedent").head(top_n)
    rule_rows = pd.DataFrame(
        {
            "method": "association_rules",
            "product_id": ranked["antecedent"],
            "neighbour_product_id": ranked["consequent"],
            "weight": ranked["confidence"],
        }
    )
    similarity_rows = similarities.assign(method="item_cf", weight=similarities["similarity"])
    columns = ["method", "product_id", "neighbour_product_id", "weight"]
    return pd.concat([rule_rows[columns], similarity_rows[columns]], ignore_index=True)


# ------------------------------------------------------------------------------- lists


def _units(values: pd.Series | np.ndarray) -> np.ndarray:
    """Doubles rounded to 15 decimals, as integers (summed exactly)."""
    return np.floor(np.asarray(values, dtype=np.float64) * 1e15 + 0.5).astype(np.int64)


def _scored(histories: pd.DataFrame, neighbours: pd.DataFrame, bought: set) -> pd.DataFrame:
    """method, customer_id, product_id, units (score * 1e15, exact), reason: the neighbours of
    the customers' recent products they never bought; reason = the recent product with the
    largest weight to the product (ties: smallest id)."""
    reached = histories.merge(neighbours, on="product_id")
    keys = zip(reached["customer_id"], reached["neighbour_product_id"], strict=True)
    reached = reached[[key not in bought for key in keys]]
    reached = reached.assign(units=_units(reached["weight"])).sort_values(
        ["method", "customer_id", "neighbour_product_id", "weight", "product_id"],
        ascending=[True, True, True, False, True],
    )
    return (
        reached.groupby(["method", "customer_id", "neighbour_product_id"], sort=False)
        .agg(units=("units", "sum"), reason=("product_id", "first"))
        .reset_index()
        .rename(columns={"neighbour_product_id": "product_id"})
    )


def _with_popular_fill(
    scored: pd.DataFrame,
    customers: list,
    bought: set,
    ranked_products: pd.DataFrame,
    top_n: int,
) -> pd.DataFrame:
    """One method's lists: its top_n scored products (units desc, product_id), then the most
    popular products not bought and not listed; LIST_COLUMNS."""
    scored = scored.sort_values(
        ["customer_id", "units", "product_id"], ascending=[True, False, True]
    )
    scored = scored.groupby("customer_id").head(top_n).copy()
    scored["recommendation_rank"] = scored.groupby("customer_id").cumcount() + 1
    scored["score"] = scored["units"] / 1e15
    by_customer = {c: list(g["product_id"]) for c, g in scored.groupby("customer_id")}
    popular_ids = ranked_products["product_id"].tolist()
    popular_scores = dict(zip(popular_ids, ranked_products["popularity_score"], strict=True))
    rows = []
    for customer in customers:
        listed = by_customer.get(customer, [])
        rank = len(listed)
        for product in popular_ids:
            if rank >= top_n:
                break
            if (customer, product) in bought or product in listed:
                continue
            rank += 1
            rows.append((customer, rank, product, popular_scores[product], "popular"))
    fill = pd.DataFrame(rows, columns=LIST_COLUMNS)
    return pd.concat([scored[LIST_COLUMNS], fill], ignore_index=True)


def _blend(lists: dict[str, pd.DataFrame], top_n: int) -> pd.DataFrame:
    """Reciprocal rank fusion of the rules', item CF's and popularity's lists."""
    parts = []
    for priority, method in enumerate(("association_rules", "item_cf", "popularity"), start=1):
        part = lists[method][["customer_id", "product_id", "recommendation_rank", "reason"]]
        parts.append(part.assign(priority=part["recommendation_rank"] * 10 + priority))
    ranks = pd.concat(parts, ignore_index=True)
    ranks["units"] = np.floor(
        1e15 / (RRF_CONSTANT + ranks["recommendation_rank"]).astype(np.float64) + 0.5
    ).astype(np.int64)
    fused = (
        ranks.sort_values(["customer_id", "product_id", "priority"])
        .groupby(["customer_id", "product_id"], sort=False)
        .agg(units=("units", "sum"), reason=("reason", "first"))
        .reset_index()
        .sort_values(["customer_id", "units", "product_id"], ascending=[True, False, True])
    )
    fused = fused.groupby("customer_id").head(top_n).copy()
    fused["recommendation_rank"] = fused.groupby("customer_id").cumcount() + 1
    fused["score"] = fused["units"] / 1e15
    return fused[LIST_COLUMNS].reset_index(drop=True)


def recommendations(
    baskets: pd.DataFrame,
    settings: Settings,
    customers: list | None = None,
    rules: pd.DataFrame | None = None,
    returned: set | frozenset = frozenset(),
    returned_in_full: set | frozenset = frozenset(),
) -> dict[str, pd.DataFrame]:
    """Every method's new-product lists (LIST_COLUMNS, reason 'popular' for popularity) for
    `customers` (default: every customer), learnt from `baskets`; rules default to
    pair_rules of the baskets with the settings' thresholds; `returned` (returned_pairs):
    offered no more than what was bought; `returned_in_full` (returned_in_full): no part of
    the histories the rules and item CF score from."""
    purchases = customer_products(baskets)
    if customers is None:
        customers = sorted(purchases["customer_id"].unique())
    if rules is None:
        rules = pair_rules(
            baskets, settings.min_support, settings.min_confidence, settings.min_pair_count
        )
    ranked_products = popularity(baskets)
    histories = recent_histories(
        purchases, settings.history_max_products, ranked_products, returned_in_full
    )
    similarities = item_similarities(histories, settings.cf_shrinkage, settings.cf_neighbours)
    neighbours = _neighbours(rules, similarities, settings.top_n)
    bought = set(zip(purchases["customer_id"], purchases["product_id"], strict=True))
    bought |= set(returned)
    recipients = histories[histories["customer_id"].isin(set(customers))]
    scored = _scored(recipients, neighbours, bought)
    lists = {}
    for method in ("popularity", *SCORED_METHODS):
        method_scores = scored[scored["method"] == method]
        lists[method] = _with_popular_fill(
            method_scores, customers, bought, ranked_products, settings.top_n
        )
    lists["blend"] = _blend(lists, settings.top_n)
    return {method: _sorted(frame) for method, frame in lists.items()}


def buy_again(
    baskets: pd.DataFrame,
    settings: Settings,
    returned: set,
    customers: list | None = None,
) -> dict[str, pd.DataFrame]:
    """The repeat-purchase lists (customer_id, recommendation_rank, product_id, score) of
    buy_again (own order count desc, popularity, id) and popularity (popularity, id), among
    the customer's products but those of `returned` (returned in full)."""
    ranked_products = popularity(baskets).drop(columns="order_count")
    purchases = customer_products(baskets).merge(ranked_products, on="product_id")
    kept = [
        pair not in returned
        for pair in zip(purchases["customer_id"], purchases["product_id"], strict=True)
    ]
    purchases = purchases[kept]
    if customers is not None:
        purchases = purchases[purchases["customer_id"].isin(set(customers))]
    orders = {
        "buy_again": (["order_count", "popularity_rank"], [False, True], "order_count"),
        "popularity": (["popularity_rank"], [True], "popularity_score"),
    }
    lists = {}
    for method, (keys, ascending, score) in orders.items():
        ranked = purchases.sort_values(
            ["customer_id", *keys, "product_id"], ascending=[True, *ascending, True]
        )
        ranked = ranked.groupby("customer_id").head(settings.top_n).copy()
        ranked["recommendation_rank"] = ranked.groupby("customer_id").cumcount() + 1
        ranked["score"] = ranked[score].astype(np.float64)
        lists[method] = _sorted(
            ranked[["customer_id", "recommendation_rank", "product_id", "score"]]
        )
    return lists


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["customer_id", "recommendation_rank"]).reset_index(drop=True)


# -------------------------------------------------------------------------- evaluation


def gain_z(method_hits: set, baseline_hits: set) -> float:
    """McNemar's z of a method against the baseline over the customers one of them hits:
    (b - c) / sqrt(b + c), b = hit by the method only, c = by the baseline only; 0 when none."""
    only_method, only_baseline = len(method_hits - baseline_hits), len(baseline_hits - method_hits)
    if only_method + only_baseline == 0:
        return 0.0
    return (only_method - only_baseline) / math.sqrt(only_method + only_baseline)


def evaluation(
    baskets: pd.DataFrame, settings: Settings, order_lines: pd.DataFrame
) -> pd.DataFrame:
    """fct_recommendation_evaluation: one row per target and method (is_chosen included);
    order_lines (lines_of) say what was returned in full outside the hidden orders."""
    lines = _distinct(baskets)
    hidden = holdout_orders(lines, settings)
    returned = returned_in_full(order_lines, frozenset(hidden["order_id"]))
    is_hidden = lines["order_id"].isin(set(hidden["order_id"]))
    training, hidden_lines = lines[~is_hidden], lines[is_hidden]
    customers = sorted(hidden["customer_id"])
    known = set(zip(training["customer_id"], training["product_id"], strict=True))
    relevant: dict[str, dict[str, set]] = {"new_products": {}, "repeat_purchases": {}}
    for customer, product in zip(
        hidden_lines["customer_id"], hidden_lines["product_id"], strict=True
    ):
        target = "repeat_purchases" if (customer, product) in known else "new_products"
        relevant[target].setdefault(customer, set()).add(product)

    sent_back = returned_pairs(order_lines, frozenset(hidden["order_id"]))
    lists = {
        "new_products": recommendations(
            training, settings, customers, returned=sent_back, returned_in_full=returned
        ),
        "repeat_purchases": buy_again(training, settings, returned, customers),
    }
    forced = {"new_products": settings.method, "repeat_purchases": settings.buy_again_method}
    rows = []
    for target, methods in (("new_products", NEW_METHODS), ("repeat_purchases", REPEAT_METHODS)):
        target_rows = []
        customers_hit: dict[str, set] = {}
        for simplicity, method in enumerate(methods):
            listed = lists[target][method].groupby("customer_id")["product_id"].apply(set)
            hits = [
                len(products & listed.get(c, set())) for c, products in relevant[target].items()
            ]
            customers_hit[method] = {c for c, h in zip(relevant[target], hits, strict=True) if h}
            sizes = [len(products) for products in relevant[target].values()]
            evaluated = len(sizes)
            recall_units = sum(_units([h / s for h, s in zip(hits, sizes, strict=True)]))
            target_rows.append(
                {
                    "recommendation_target": target,
                    "method": method,
                    "top_n": settings.top_n,
                    "evaluated_customer_count": evaluated,
                    "relevant_product_count": sum(sizes),
                    "hit_product_count": sum(hits),
                    "hit_customer_count": sum(h > 0 for h in hits),
                    "hit_rate": sum(h > 0 for h in hits) / evaluated if evaluated else np.nan,
                    "recall": recall_units / 1e15 / evaluated if evaluated else np.nan,
                    "gain_z": gain_z(customers_hit[method], customers_hit[methods[0]])
                    if simplicity
                    else np.nan,
                    "is_forced": forced[target] == method,
                    "simplicity": simplicity,
                }
            )

        def is_candidate(row: dict[str, Any]) -> bool:
            gain = row["gain_z"]
            return row["simplicity"] == 0 or (gain > 0 and gain >= settings.min_gain_z)

        best = min(
            target_rows,
            key=lambda r: (
                not r["is_forced"],
                not is_candidate(r),
                -r["hit_customer_count"],
                r["simplicity"],
            ),
        )
        for row in target_rows:
            row["is_chosen"] = row is best
            del row["simplicity"]
        rows += target_rows
    return pd.DataFrame(rows)
