"""One chunk of customers, simulated with numpy: behaviour, orders, lines, mess and reviews.

Everything is vectorised over the chunk; the only Python loops are over order rounds (one
iteration per "k-th order", a few dozen), over bundles' partner slots and over review texts.
Each stage draws from its own random stream of the chunk, in a fixed order: changing what one
stage draws leaves the other stages' data unchanged, but reordering draws within a stage changes
the data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import fields, replace

import numpy as np
import pyarrow as pa

from crm_mining.datagen import chunk_tables
from crm_mining.datagen.baskets import (
    OrderBatch,
    Returns,
    draw_guest_orders,
    draw_purchase_lines,
    draw_returns,
)
from crm_mining.datagen.behaviour import Customers, draw_customers, draw_purchase_times
from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.chunk import ChunkLines, ChunkOrders, ChunkResult, ChunkSpec, Window
from crm_mining.datagen.follow_ups import plant_follow_ups
from crm_mining.datagen.params import (
    ARCHETYPE_NAMES,
    DUPLICATE_LINE_RATE,
    INVALID_LINE_KINDS,
    INVALID_LINE_RATE,
    INVALID_ORDER_KINDS,
    INVALID_ORDER_RATE,
)
from crm_mining.datagen.reviews_sim import ReviewableLines, simulate_reviews

#: Seed suffix of the follow-ups' own stream (added last, so the rest never depends on them).
_FOLLOW_UP_STREAM = 9_000_001


def _take_lines(lines: ChunkLines, index: np.ndarray) -> ChunkLines:
    """The lines at `index`, every field reordered alike."""
    return ChunkLines(*(getattr(lines, f.name)[index] for f in fields(ChunkLines)))


def _combine(
    purchases: OrderBatch, returns: Returns, guests: OrderBatch
) -> tuple[ChunkOrders, ChunkLines]:
    """All orders (purchases, returns, guests) numbered by time, and their lines in id order."""
    batches = (purchases, returns.orders, guests)
    n_orders, n_ret, n_guest = (b.n_orders for b in batches)
    kind = np.concatenate([np.zeros(n_orders), np.ones(n_ret), np.full(n_guest, 2)])
    customer = np.concatenate([b.customer for b in batches]).astype(np.int64)
    day = np.concatenate([b.day for b in batches]).astype(np.int64)
    second = np.concatenate([b.second for b in batches]).astype(np.int64)
    n_all = len(kind)
    by_time = np.lexsort((np.arange(n_all), second, day))
    position = np.empty(n_all, dtype=np.int64)
    position[by_time] = np.arange(n_all)
    orders = ChunkOrders(
        kind.astype(np.int8),
        customer,
        day,
        second,
        by_time,
        position,
        np.full(n_all, -1, dtype=np.int64),
    )

    offsets = (0, n_orders, n_orders + n_ret)
    order = np.concatenate([o + b.line_order for o, b in zip(offsets, batches, strict=True)])
    n_li = len(order)
    returned = np.concatenate(
        [returns.returned, np.zeros(returns.orders.n_lines + guests.n_lines, dtype=bool)]
    )
    lines = ChunkLines(
        order.astype(np.int64),
        np.concatenate([b.line_product for b in batches]).astype(np.int64),
        np.concatenate([b.line_quantity for b in batches]).astype(np.int64),
        np.concatenate([b.line_price for b in batches]).astype(np.int64),
        returned,
        np.full(n_li, -1, dtype=np.int64),
        np.zeros(n_li, dtype=bool),
    )
    return orders, _take_lines(lines, np.lexsort((lines.product, position[lines.order])))


def _plant_invalid(
    rng: np.random.Generator, orders: ChunkOrders, lines: ChunkLines, return_source: np.ndarray
) -> tuple[ChunkOrders, ChunkLines]:
    """Invalid orders, invalid lines and exact duplicate lines.

    Invalid orders: purchase and guest orders without returns (a rejected order would orphan
    its return). Invalid lines: purchase and guest lines, not returned, at most one per order,
    none in an invalid order. Duplicates: valid lines of valid orders only.
    """
    n_all, n_li = len(orders.kind), len(lines.order)
    bad_order = np.full(n_all, -1, dtype=np.int64)
    bad_line = np.full(n_li, -1, dtype=np.int64)
    has_return = np.zeros(n_all, dtype=bool)
    has_return[return_source] = True
    eligible = (orders.kind != 1) & ~has_return
    picked = eligible & (rng.random(n_all) < INVALID_ORDER_RATE)
    kinds = rng.integers(0, len(INVALID_ORDER_KINDS), n_all)
    bad_order[picked] = kinds[picked]
    in_bad_order = bad_order[lines.order] >= 0
    eligible = (orders.kind[lines.order] != 1) & ~lines.returned & ~in_bad_order
    cand = np.flatnonzero(eligible & (rng.random(n_li) < INVALID_LINE_RATE))
    _, first = np.unique(lines.order[cand], return_index=True)
    cand = cand[first]
    bad_line[cand] = rng.integers(0, len(INVALID_LINE_KINDS), len(cand))
    dup_draw = rng.random(n_li) < DUPLICATE_LINE_RATE
    duplicate = dup_draw & (bad_line < 0) & ~in_bad_order
    return (
        replace(orders, invalid_kind=bad_order),
        replace(lines, invalid_kind=bad_line, duplicate=duplicate),
    )


def _reviewable(customers: Customers, orders: ChunkOrders, lines: ChunkLines) -> ReviewableLines:
    """What the review stage needs of each line; only valid purchase lines can be reviewed."""
    valid = (lines.invalid_kind < 0) & (orders.invalid_kind[lines.order] < 0)
    return ReviewableLines(
        customer=orders.customer[lines.order],
        day=orders.day[lines.order],
        product=lines.product,
        returned=lines.returned,
        ok=(orders.kind[lines.order] == 0) & valid,
    )


def _add_follow_ups(
    seed: int,
    spec: ChunkSpec,
    catalog: Catalog,
    purchase_customer: np.ndarray,
    orders: ChunkOrders,
    lines: ChunkLines,
) -> tuple[ChunkLines, int]:
    """The lines with the planted follow-ups merged in (at list price, quantity 1), and their
    number. Purchase orders come first among the orders, so their indices are order indices."""
    r_follow = np.random.default_rng(np.random.SeedSequence([seed, spec.index, _FOLLOW_UP_STREAM]))
    f_ord, f_prod = plant_follow_ups(r_follow, purchase_customer, catalog)
    n = len(f_ord)
    if not n:
        return lines, 0
    added = ChunkLines(
        f_ord,
        f_prod,
        np.ones(n, dtype=np.int64),
        catalog.list_price_cents[f_prod],
        np.zeros(n, dtype=bool),
        np.full(n, -1, dtype=np.int64),
        np.zeros(n, dtype=bool),
    )
    merged = ChunkLines(
        *(
            np.concatenate([getattr(lines, f.name), getattr(added, f.name)])
            for f in fields(ChunkLines)
        )
    )
    by_id = np.lexsort((merged.product, orders.position[merged.order]))
    return _take_lines(merged, by_id), n


def _count_chunk(
    counts: Counter[str],
    customers: Customers,
    churn_day: np.ndarray,
    batches: tuple[OrderBatch, OrderBatch, OrderBatch],
    n_follow: int,
    n_orders: int,
) -> None:
    """Add the manifest's counts of customers and of orders and lines by kind to `counts`.

    batches: the purchase, return and guest orders; n_follow: the follow-up lines added to the
    purchases; n_orders: all orders of the chunk.
    """
    purchases, returns, guests = batches
    n, m = len(customers.number), len(customers.ordering)
    counts["customers"] += n
    counts["ordering_customers"] += m
    counts["never_ordered_customers"] += n - m
    counts["churned_customers"] += int((churn_day >= 0).sum())
    for a, name in enumerate(ARCHETYPE_NAMES):
        counts[f"archetype.{name}"] += int((customers.archetype == a).sum())
    counts["purchase_orders"] += purchases.n_orders
    counts["return_orders"] += returns.n_orders
    counts["guest_orders"] += guests.n_orders
    counts["orders"] += n_orders
    counts["purchase_lines"] += purchases.n_lines + n_follow
    counts["return_lines"] += returns.n_lines
    counts["guest_lines"] += guests.n_lines


def simulate_chunk(
    seed: int,
    spec: ChunkSpec,
    window: Window,
    catalog: Catalog,
    messy: bool,
    reviews: bool,
) -> ChunkResult:
    """Simulate one chunk of customers; ids continue from spec's bases."""
    streams = np.random.SeedSequence([seed, spec.index]).spawn(5)
    r_cust, r_orders, r_lines, r_messy, r_reviews = (np.random.default_rng(s) for s in streams)
    counts: Counter[str] = Counter()

    customers = draw_customers(r_cust, spec, window.days, catalog)
    times = draw_purchase_times(r_orders, customers, window.days)
    purchases = draw_purchase_lines(r_lines, customers, times, catalog)
    if messy:
        returns = draw_returns(r_messy, customers, purchases, window.days - 1)
        n_other = purchases.n_orders + returns.orders.n_orders
        guests = draw_guest_orders(r_messy, catalog, window.days, n_other)
    else:
        returns, guests = Returns.none(purchases), OrderBatch.empty()
    orders, lines = _combine(purchases, returns, guests)
    if messy:
        orders, lines = _plant_invalid(r_messy, orders, lines, returns.source)

    review_tables: dict[str, pa.Table] = {}
    n_reviews = 0
    if reviews:
        review_tables, n_reviews = simulate_reviews(
            r_reviews,
            spec,
            window,
            catalog,
            customers,
            _reviewable(customers, orders, lines),
            counts,
        )
    lines, n_follow = _add_follow_ups(seed, spec, catalog, purchases.customer, orders, lines)
    counts["follow_up_lines"] += n_follow

    customers_table = chunk_tables.customers_table(customers, window)
    orders_table, order_ids = chunk_tables.orders_table(orders, customers, window, spec.order_base)
    columns = chunk_tables.item_columns(lines, orders, order_ids, catalog)
    items = chunk_tables.items_table(columns, lines)
    invalid = chunk_tables.invalid_rows_table(orders, order_ids, lines, columns, counts)
    truth = chunk_tables.customer_truth_tables(customers, times.churn_day, window)

    batches = (purchases, returns.orders, guests)
    _count_chunk(counts, customers, times.churn_day, batches, n_follow, len(orders.kind))
    counts["exact_duplicate_lines"] += int(lines.duplicate.sum())
    counts["order_items"] += items.num_rows
    counts["invalid_orders"] += int((orders.invalid_kind >= 0).sum())
    counts["invalid_rows"] += invalid.num_rows

    tables = {
        "customers": customers_table,
        "orders": orders_table,
        "order_items": items,
        **truth,
        "planted_invalid_rows": invalid,
        **review_tables,
    }
    return ChunkResult(tables=tables, counts=counts, n_orders=len(orders.kind), n_reviews=n_reviews)
