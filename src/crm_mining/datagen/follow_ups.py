"""Planted follow-up purchases: the first product in one order, the later one in a later order.

A signal that only whole purchase histories show (item-to-item collaborative filtering): the two
products are bought by the same customers but never in the same basket, so association rules
over baskets never pair them. Drawn from their own random stream and added after everything
else in a chunk, so that the rest of the generated data is the same with or without them.
"""

from __future__ import annotations

import numpy as np

from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.params import FOLLOW_UP_PROB, FOLLOW_UP_RATE


def plant_follow_ups(
    rng: np.random.Generator, order_customer: np.ndarray, catalog: Catalog
) -> tuple[np.ndarray, np.ndarray]:
    """Lines (purchase order index, product index) of the planted follow-ups.

    order_customer: the customer of each purchase order, orders grouped by customer in time
    order (as simulate_chunk numbers them). For each follow-up, a FOLLOW_UP_RATE share of the
    customers with two orders or more buy the first product in one of their orders but the
    last; with probability FOLLOW_UP_PROB they buy the later product in one of the following
    orders. Orders are drawn uniformly.
    """
    orders: list[np.ndarray] = []
    products: list[np.ndarray] = []
    starts = np.flatnonzero(np.r_[True, order_customer[1:] != order_customer[:-1]])
    counts = np.diff(np.r_[starts, len(order_customer)])
    eligible = counts >= 2
    first_orders, order_counts = starts[eligible], counts[eligible]
    for first_product, later_product in catalog.follow_up_products:
        chosen = rng.random(len(first_orders)) < FOLLOW_UP_RATE
        later = rng.random(len(first_orders)) < FOLLOW_UP_PROB
        u_first = rng.random(len(first_orders))
        u_later = rng.random(len(first_orders))
        start, count = first_orders[chosen], order_counts[chosen]
        first = start + np.floor(u_first[chosen] * (count - 1)).astype(np.int64)
        remaining = start + count - 1 - first
        then = first + 1 + np.floor(u_later[chosen] * remaining).astype(np.int64)
        buys_later = later[chosen]
        orders += [first, then[buys_later]]
        products += [
            np.full(len(first), first_product, dtype=np.int64),
            np.full(int(buys_later.sum()), later_product, dtype=np.int64),
        ]
    if not orders:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(orders), np.concatenate(products)
