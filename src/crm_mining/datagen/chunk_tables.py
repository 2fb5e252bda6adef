"""A chunk's Arrow tables: customers, orders and order lines as text, planted invalid values
and the truth about them (invalid rows, archetypes, churn)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from crm_mining.datagen import formatting as fmt
from crm_mining.datagen.behaviour import Customers
from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.chunk import ChunkLines, ChunkOrders, Window
from crm_mining.datagen.params import (
    ARCHETYPE_NAMES,
    COUNTRIES,
    INVALID_LINE_KINDS,
    INVALID_ORDER_KINDS,
    ORDER_REJECTED_KIND,
    UNKNOWN_PRODUCT_ID,
)

_DAY = 86_400
#: The text written in place of a valid value, per column and invalid line kind
#: (unit_price_negative writes minus the line's price instead of its value here).
_INVALID_VALUES: tuple[tuple[str, dict[str, str | None]], ...] = (
    ("quantity", {"quantity_not_a_number": "three", "quantity_zero": "0"}),
    (
        "unit_price",
        {"unit_price_missing": None, "unit_price_zero": "0", "unit_price_negative": ""},
    ),
    ("product_id", {"unknown_product": UNKNOWN_PRODUCT_ID}),
)


def customers_table(customers: Customers, window: Window) -> pa.Table:
    """The customers file: every customer of the chunk, ordering or not."""
    return fmt.table(
        {
            "customer_id": fmt.ids("", customers.number, 8),
            "signup_date": fmt.dates(window.epoch_day + customers.signup),
            "country": pa.array(
                np.array(COUNTRIES, dtype=object)[customers.country], type=pa.string()
            ),
        }
    )


def _invalid_orders(orders: ChunkOrders) -> tuple[np.ndarray, np.ndarray]:
    """(positions by time of the invalid orders, their INVALID_ORDER_KINDS indices)."""
    bad_sorted = orders.invalid_kind[orders.by_time]
    bad_pos = np.flatnonzero(bad_sorted >= 0)
    return bad_pos, bad_sorted[bad_pos]


def orders_table(
    orders: ChunkOrders, customers: Customers, window: Window, order_base: int
) -> tuple[pa.Table, pa.Array]:
    """The orders file in time order, invalid order dates planted, and the order ids."""
    order_ids = fmt.ids("O", order_base + np.arange(len(orders.kind), dtype=np.int64), 9)
    sorted_cust = orders.customer[orders.by_time]
    cust_numbers = customers.number[customers.ordering][np.maximum(sorted_cust, 0)]
    cust_text = fmt.null_where(fmt.ids("", cust_numbers, 8), sorted_cust < 0)
    order_seconds = (window.epoch_day + orders.day[orders.by_time]) * _DAY + orders.second[
        orders.by_time
    ]
    bad_pos, bad_kind = _invalid_orders(orders)
    impossible = f"{window.start.year}-02-30 10:00:00"
    order_date = fmt.replace(
        fmt.timestamps(order_seconds),
        bad_pos,
        [impossible if k == 0 else None for k in bad_kind.tolist()],
    )
    table = fmt.table({"order_id": order_ids, "customer_id": cust_text, "order_date": order_date})
    return table, order_ids


def item_columns(
    lines: ChunkLines, orders: ChunkOrders, order_ids: pa.Array, catalog: Catalog
) -> dict[str, pa.Array]:
    """The order_items columns, one row per line (no duplicate yet), invalid values planted."""
    product_ids = pa.array(catalog.product_ids, type=pa.string())
    columns = {
        "order_id": order_ids.take(pa.array(orders.position[lines.order])),
        "product_id": product_ids.take(pa.array(lines.product)),
        "quantity": fmt.integers(lines.quantity),
        "unit_price": fmt.cents(lines.price),
    }
    bl = np.flatnonzero(lines.invalid_kind >= 0)
    kind_names = [INVALID_LINE_KINDS[k][0] for k in lines.invalid_kind[bl].tolist()]
    neg_price = fmt.cents(-lines.price[bl]).to_pylist()
    for column, kinds_values in _INVALID_VALUES:
        sel = [i for i, k in enumerate(kind_names) if k in kinds_values]
        values: list[str | None] = []
        for i in sel:
            value = kinds_values[kind_names[i]]
            values.append(neg_price[i] if kind_names[i] == "unit_price_negative" else value)
        columns[column] = fmt.replace(columns[column], bl[sel], values)
    return columns


def items_table(columns: dict[str, pa.Array], lines: ChunkLines) -> pa.Table:
    """The order_items file: duplicated lines written twice in a row."""
    items = fmt.table(columns)
    if lines.duplicate.any():
        repeats = 1 + lines.duplicate.astype(np.int64)
        items = items.take(pa.array(np.repeat(np.arange(len(lines.order)), repeats)))
    return items


def invalid_rows_table(
    orders: ChunkOrders,
    order_ids: pa.Array,
    lines: ChunkLines,
    columns: dict[str, pa.Array],
    counts: Counter[str],
) -> pa.Table:
    """Truth: every planted invalid order and line, and every line of an invalid order."""
    inv_file: list[str] = []
    inv_key: list[str] = []
    inv_kind: list[str] = []
    inv_col: list[str] = []
    bad_pos, bad_kind = _invalid_orders(orders)
    bad_order_ids = order_ids.take(pa.array(bad_pos)).to_pylist()
    for oid, k in zip(bad_order_ids, bad_kind.tolist(), strict=True):
        kind, column = INVALID_ORDER_KINDS[k]
        inv_file.append("orders")
        inv_key.append(f"order_id={oid}")
        inv_kind.append(kind)
        inv_col.append(column)
        counts[f"invalid.{kind}"] += 1
    in_bad_order = orders.invalid_kind[lines.order] >= 0
    bad_lines = np.flatnonzero(in_bad_order | (lines.invalid_kind >= 0))
    bad_line_orders = columns["order_id"].take(pa.array(bad_lines)).to_pylist()
    bad_line_products = columns["product_id"].take(pa.array(bad_lines)).to_pylist()
    for i, oid, pid in zip(bad_lines.tolist(), bad_line_orders, bad_line_products, strict=True):
        if lines.invalid_kind[i] >= 0:
            kind, column = INVALID_LINE_KINDS[lines.invalid_kind[i]]
        else:
            kind, column = ORDER_REJECTED_KIND
        inv_file.append("order_items")
        inv_key.append(f"order_id={oid}|product_id={pid}")
        inv_kind.append(kind)
        inv_col.append(column)
        counts[f"invalid.{kind}"] += 1
    return fmt.table(
        {
            "file": fmt.strings(list(inv_file)),
            "natural_key": fmt.strings(list(inv_key)),
            "kind": fmt.strings(list(inv_kind)),
            "column": fmt.strings(list(inv_col)),
        }
    )


def customer_truth_tables(
    customers: Customers, churn_day: np.ndarray, window: Window
) -> dict[str, pa.Table]:
    """Truth about the ordering customers: `customer_archetypes` and `customer_churn`."""
    arch_names = np.array(ARCHETYPE_NAMES, dtype=object)[customers.archetype]
    ordering_ids = fmt.ids("", customers.number, 8).take(pa.array(customers.ordering))
    churn_text = fmt.dates(window.epoch_day + np.maximum(churn_day, 0))
    churn_text = fmt.null_where(churn_text, churn_day < 0)
    archetypes = fmt.table(
        {"customer_id": ordering_ids, "archetype": pa.array(arch_names, type=pa.string())}
    )
    churn = fmt.table(
        {
            "customer_id": ordering_ids,
            "archetype": pa.array(arch_names, type=pa.string()),
            "churned_at": churn_text,
        }
    )
    return {"customer_archetypes": archetypes, "customer_churn": churn}
