"""Test oracle: the pairwise association rules of fct_item_pair_associations in pandas/scipy.

Independent of the SQL: a sparse basket x item incidence matrix, pair counts by matrix product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


def pair_rules(
    baskets: pd.DataFrame,
    min_support: float = 0.0,
    min_confidence: float = 0.0,
    min_pair_count: int = 1,
    basket_column: str = "order_id",
    item_column: str = "product_id",
) -> pd.DataFrame:
    """Every rule A -> B between two single items, from (basket, item) rows: a basket x item
    incidence matrix, pair counts by matrix product. antecedent, consequent, pair_order_count,
    antecedent_order_count, consequent_order_count, total_orders, support, confidence, lift,
    leverage, conviction (NaN when confidence is 1), kept by the three thresholds."""
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
    rules = pd.DataFrame(
        {
            "antecedent": np.asarray(items)[antecedent],
            "consequent": np.asarray(items)[consequent],
            "pair_order_count": together.data[off_diagonal].astype(np.int64),
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
