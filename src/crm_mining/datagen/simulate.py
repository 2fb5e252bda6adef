"""One chunk of customers, simulated with numpy: behaviour, orders, lines, mess and reviews.

Everything is vectorised over the chunk; the only Python loops are over order rounds (one
iteration per "k-th order", a few dozen), over bundles' partner slots and over review texts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa

from crm_mining.datagen import formatting as fmt
from crm_mining.datagen import texts
from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.follow_ups import plant_follow_ups
from crm_mining.datagen.params import (
    ARCHETYPE_NAMES,
    ARCHETYPES,
    BUNDLE_LATER_PROB,
    BUNDLE_PARTNER_PROB,
    CATEGORIES,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    DISCOUNT_FACTORS,
    DISCOUNT_PROBS,
    DUPLICATE_LINE_RATE,
    FIRST_ORDER_MAX_DAYS,
    GUEST_ORDER_RATE,
    HAZARD_SIGMA,
    INVALID_LINE_KINDS,
    INVALID_LINE_RATE,
    INVALID_ORDER_KINDS,
    INVALID_ORDER_RATE,
    LONG_TEXT_CHARS,
    MAX_BASKET,
    MIN_LONG_TEXTS,
    N_FAVOURITES,
    NEVER_ORDERED_RATE,
    NULL_RATING_RATE,
    ORDER_REJECTED_KIND,
    RATING_THRESHOLDS,
    RETURN_LAG_MIN,
    REVIEW_LAG_SCALE,
    REVIEW_PRODUCT_PROB,
    REVIEWER_RATE,
    TEXT_KIND_RATES,
    UNKNOWN_PRODUCT_ID,
)

TEXT_KINDS: tuple[str, ...] = ("normal", *TEXT_KIND_RATES)
_GROCERIES = CATEGORIES.index("Groceries")
_DAY = 86_400
_OPEN, _CLOSE = 7 * 3600, 23 * 3600


def _arch_param(name: str) -> np.ndarray:
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=float)


_SHARE = _arch_param("share")
_GAP_MEAN = _arch_param("gap_mean")
_GAP_SHAPE = _arch_param("gap_shape")
_GAP_SIGMA = _arch_param("gap_sigma")
_H_BASE = _arch_param("hazard_base")
_H_FLOOR = _arch_param("hazard_floor")
_H_TAU = _arch_param("hazard_tau")
_MAX_ORDERS = _arch_param("max_orders")
_BASKET = _arch_param("basket_extra")
_QTY = _arch_param("qty_extra")
_FAV = _arch_param("favourite_prob")
_RETURN = _arch_param("return_rate")
_SIGNUP = np.array([a.signup_window for a in ARCHETYPES], dtype=float)
_MIX = np.array([a.category_mix for a in ARCHETYPES], dtype=float)
_CONC = _arch_param("mix_concentration")
#: Category mix of guest orders: the archetype mixes weighted by archetype share.
_GUEST_MIX = (_SHARE[:, None] * _MIX).sum(axis=0) / (_SHARE[:, None] * _MIX).sum()


@dataclass(frozen=True)
class Window:
    """The simulated period, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return (self.end - self.start).days + 1

    @property
    def epoch_day(self) -> int:
        """Days from 1970-01-01 to the start."""
        return (self.start - date(1970, 1, 1)).days


@dataclass(frozen=True)
class ChunkSpec:
    """Which customers a chunk simulates and where its id counters start."""

    index: int
    first_customer: int
    n_customers: int
    order_base: int
    review_base: int


@dataclass
class ChunkResult:
    """The Arrow tables of one chunk (data and truth) and its counts for the manifest."""

    tables: dict[str, pa.Table]
    counts: Counter[str] = field(default_factory=Counter)
    n_orders: int = 0
    n_reviews: int = 0


def _dedupe(order: np.ndarray, product: np.ndarray, n_products: int) -> np.ndarray:
    """Unique (order, product) keys, sorted (one line per product and order)."""
    return np.unique(order.astype(np.int64) * n_products + product)


def _add_bundles(
    rng: np.random.Generator,
    keys: np.ndarray,
    catalog: Catalog,
    next_order: np.ndarray | None,
) -> np.ndarray:
    """Add bundle partners to orders holding a head: now (p=0.7) or else in the next order."""
    p = catalog.size
    order, product = np.divmod(keys, p)
    heads = np.flatnonzero(catalog.head_bundle[product] >= 0)
    bundle = catalog.head_bundle[product[heads]]
    head_order = order[heads]
    extra = [keys]
    for slot in range(catalog.partners.shape[1]):
        partner = catalog.partners[bundle, slot]
        now = rng.random(len(heads)) < BUNDLE_PARTNER_PROB
        later = rng.random(len(heads)) < BUNDLE_LATER_PROB
        ok = partner >= 0
        extra.append(head_order[ok & now] * p + partner[ok & now])
        if next_order is not None:
            nxt = next_order[head_order]
            sel = ok & ~now & later & (nxt >= 0)
            extra.append(nxt[sel] * p + partner[sel])
    return np.unique(np.concatenate(extra))


def _prices(rng: np.random.Generator, catalog: Catalog, product: np.ndarray) -> np.ndarray:
    factor = np.array(DISCOUNT_FACTORS)[
        rng.choice(len(DISCOUNT_FACTORS), len(product), p=DISCOUNT_PROBS)
    ]
    return np.maximum(np.rint(catalog.list_price_cents[product] * factor), 1).astype(np.int64)


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
    n_days = window.days
    last = n_days - 1
    counts: Counter[str] = Counter()

    # Customers --------------------------------------------------------------------------
    n = spec.n_customers
    never = r_cust.random(n) < NEVER_ORDERED_RATE
    arch_all = r_cust.choice(len(ARCHETYPES), size=n, p=_SHARE / _SHARE.sum())
    weights = np.array(COUNTRY_WEIGHTS)
    country = r_cust.choice(len(COUNTRIES), size=n, p=weights / weights.sum())
    lo, hi = _SIGNUP[arch_all, 0], _SIGNUP[arch_all, 1]
    signup = np.floor((lo + (hi - lo) * r_cust.random(n)) * n_days).astype(np.int64)
    signup = np.where(never, r_cust.integers(0, n_days, n), signup)
    cust_number = spec.first_customer + np.arange(n, dtype=np.int64)
    ordering = np.flatnonzero(~never)
    m = len(ordering)
    arch = arch_all[ordering]
    gap_mean = _GAP_MEAN[arch] * np.exp(_GAP_SIGMA[arch] * r_cust.standard_normal(m))
    hazard_mult = np.exp(HAZARD_SIGMA * r_cust.standard_normal(m))
    basket = _BASKET[arch] * np.exp(0.3 * r_cust.standard_normal(m))
    alpha = _MIX[arch] * _CONC[arch][:, None]
    pref = r_cust.gamma(alpha)
    cum_pref = np.cumsum(pref / pref.sum(axis=1, keepdims=True), axis=1)
    cum_pref[:, -1] = 1.0
    fav_cat = (r_cust.random((m, N_FAVOURITES, 1)) >= cum_pref[:, None, :]).sum(axis=2)
    favourites = catalog.pick(
        fav_cat.ravel(), r_cust.random(m * N_FAVOURITES), favourite=True
    ).reshape(m, N_FAVOURITES)
    satisfaction = r_cust.normal(0.0, 0.7, m)
    reviewer = r_cust.random(m) < REVIEWER_RATE

    # Orders: rounds of "next order" with a churn draw after each ------------------------
    cur = np.minimum(signup[ordering] + r_orders.integers(0, FIRST_ORDER_MAX_DAYS + 1, m), last)
    cur = cur.astype(float)
    n_done = np.zeros(m, dtype=np.int64)
    churn_day = np.full(m, -1, dtype=np.int64)
    rec_cust: list[np.ndarray] = []
    rec_day: list[np.ndarray] = []
    idx = np.arange(m)
    while idx.size:
        rec_cust.append(idx)
        rec_day.append(np.floor(cur[idx]).astype(np.int64))
        n_done[idx] += 1
        a = arch[idx]
        k = n_done[idx]
        hazard = _H_FLOOR[a] + (_H_BASE[a] - _H_FLOOR[a]) * np.exp(-(k - 1) / _H_TAU[a])
        hazard = np.minimum(hazard * hazard_mult[idx], 1.0)
        hazard = np.where((_MAX_ORDERS[a] > 0) & (k >= _MAX_ORDERS[a]), 1.0, hazard)
        shape = _GAP_SHAPE[a]
        gap = np.maximum(r_orders.gamma(shape, gap_mean[idx] / shape), 1.0)
        churn = r_orders.random(idx.size) < hazard
        at = np.floor(cur[idx]).astype(np.int64) + 1 + np.floor(r_orders.random(idx.size) * gap)
        at = at.astype(np.int64)
        churn_day[idx[churn]] = np.where(at[churn] <= last, at[churn], -1)
        cur[idx] = cur[idx] + gap
        idx = idx[~churn & (cur[idx] < n_days)]
    o_cust = np.concatenate(rec_cust)
    o_day = np.concatenate(rec_day)
    order = np.lexsort((o_day, o_cust))
    o_cust, o_day = o_cust[order], o_day[order]
    n_orders = len(o_cust)
    o_sec = r_orders.integers(_OPEN, _CLOSE, n_orders)
    next_order = np.full(n_orders, -1, dtype=np.int64)
    same = o_cust[1:] == o_cust[:-1]
    next_order[:-1][same] = np.arange(1, n_orders)[same]

    # Purchase lines ---------------------------------------------------------------------
    p = catalog.size
    n_lines = np.minimum(1 + r_lines.poisson(basket[o_cust]), MAX_BASKET)
    l_ord = np.repeat(np.arange(n_orders), n_lines)
    lc = o_cust[l_ord]
    is_fav = r_lines.random(len(l_ord)) < _FAV[arch[lc]]
    fav_pick = favourites[lc, r_lines.integers(0, N_FAVOURITES, len(l_ord))]
    cat = (r_lines.random(len(l_ord))[:, None] >= cum_pref[lc]).sum(axis=1)
    fresh = catalog.pick(np.minimum(cat, len(CATEGORIES) - 1), r_lines.random(len(l_ord)))
    keys = _dedupe(l_ord, np.where(is_fav, fav_pick, fresh), p)
    keys = _add_bundles(r_lines, keys, catalog, next_order)
    pl_ord, pl_prod = np.divmod(keys, p)
    la = arch[o_cust[pl_ord]]
    groc = catalog.category[pl_prod] == _GROCERIES
    pl_qty = 1 + r_lines.poisson(np.where(groc, _QTY[la], _QTY[la] / 4))
    pl_price = _prices(r_lines, catalog, pl_prod)
    n_plines = len(pl_ord)

    # Returns and guest orders (messy) ---------------------------------------------------
    if messy:
        returned = r_messy.random(n_plines) < _RETURN[la]
        return_day = o_day + RETURN_LAG_MIN + np.floor(r_messy.gamma(2.0, 5.0, n_orders))
        returned &= return_day[pl_ord] <= last
        ro_src = np.unique(pl_ord[returned])
        r_cust = o_cust[ro_src]
        r_day = return_day[ro_src].astype(np.int64)
        r_sec = r_messy.integers(_OPEN, _CLOSE, len(ro_src))
        rl_ord = np.searchsorted(ro_src, pl_ord[returned])
        rl_prod = pl_prod[returned]
        rl_price = pl_price[returned]
        rl_qty = -(1 + np.floor(r_messy.random(len(rl_ord)) * pl_qty[returned])).astype(np.int64)
        n_guest = int(
            r_messy.poisson(GUEST_ORDER_RATE / (1 - GUEST_ORDER_RATE) * (n_orders + len(ro_src)))
        )
        g_day = r_messy.integers(0, n_days, n_guest)
        g_sec = r_messy.integers(_OPEN, _CLOSE, n_guest)
        g_n = np.minimum(1 + r_messy.poisson(1.0, n_guest), MAX_BASKET)
        g_ord = np.repeat(np.arange(n_guest), g_n)
        g_cat = r_messy.choice(len(CATEGORIES), len(g_ord), p=_GUEST_MIX)
        g_keys = _dedupe(g_ord, catalog.pick(g_cat, r_messy.random(len(g_ord))), p)
        g_keys = _add_bundles(r_messy, g_keys, catalog, None)
        gl_ord, gl_prod = np.divmod(g_keys, p)
        gl_qty = 1 + r_messy.poisson(0.3, len(gl_ord))
        gl_price = _prices(r_messy, catalog, gl_prod)
    else:
        returned = np.zeros(n_plines, dtype=bool)
        ro_src = r_cust = r_day = r_sec = np.zeros(0, dtype=np.int64)
        rl_ord = rl_prod = rl_price = rl_qty = np.zeros(0, dtype=np.int64)
        n_guest = 0
        g_day = g_sec = gl_ord = gl_prod = gl_qty = gl_price = np.zeros(0, dtype=np.int64)
    n_ret = len(ro_src)

    # All orders, numbered by time within the chunk ----------------------------------------
    a_kind = np.concatenate([np.zeros(n_orders), np.ones(n_ret), np.full(n_guest, 2)]).astype(
        np.int8
    )
    a_cust = np.concatenate([o_cust, r_cust, np.full(n_guest, -1)]).astype(np.int64)
    a_day = np.concatenate([o_day, r_day, g_day]).astype(np.int64)
    a_sec = np.concatenate([o_sec, r_sec, g_sec]).astype(np.int64)
    n_all = len(a_kind)
    by_time = np.lexsort((np.arange(n_all), a_sec, a_day))
    pos = np.empty(n_all, dtype=np.int64)
    pos[by_time] = np.arange(n_all)

    li_all = np.concatenate([pl_ord, n_orders + rl_ord, n_orders + n_ret + gl_ord]).astype(np.int64)
    li_prod = np.concatenate([pl_prod, rl_prod, gl_prod]).astype(np.int64)
    li_qty = np.concatenate([pl_qty, rl_qty, gl_qty]).astype(np.int64)
    li_price = np.concatenate([pl_price, rl_price, gl_price]).astype(np.int64)
    li_returned = np.concatenate([returned, np.zeros(len(rl_ord) + len(gl_ord), dtype=bool)])
    line_sort = np.lexsort((li_prod, pos[li_all]))
    li_all, li_prod, li_qty, li_price, li_returned = (
        x[line_sort] for x in (li_all, li_prod, li_qty, li_price, li_returned)
    )
    li_kind = a_kind[li_all]
    n_li = len(li_all)

    # Planted invalid orders, invalid lines and duplicates (messy) -------------------------
    bad_order = np.full(n_all, -1, dtype=np.int64)
    bad_line = np.full(n_li, -1, dtype=np.int64)
    duplicate = np.zeros(n_li, dtype=bool)
    if messy:
        has_return = np.zeros(n_all, dtype=bool)
        has_return[ro_src] = True
        eligible = (a_kind != 1) & ~has_return
        picked = eligible & (r_messy.random(n_all) < INVALID_ORDER_RATE)
        kinds = r_messy.integers(0, len(INVALID_ORDER_KINDS), n_all)
        bad_order[picked] = kinds[picked]
        in_bad_order = bad_order[li_all] >= 0
        eligible = (li_kind != 1) & ~li_returned & ~in_bad_order
        cand = np.flatnonzero(eligible & (r_messy.random(n_li) < INVALID_LINE_RATE))
        _, first = np.unique(li_all[cand], return_index=True)
        cand = cand[first]
        bad_line[cand] = r_messy.integers(0, len(INVALID_LINE_KINDS), len(cand))
        dup_draw = r_messy.random(n_li) < DUPLICATE_LINE_RATE
        duplicate = dup_draw & (bad_line < 0) & ~in_bad_order
    in_bad_order = bad_order[li_all] >= 0

    # Reviews ----------------------------------------------------------------------------
    review_tables: dict[str, pa.Table] = {}
    n_reviews = 0
    if reviews:
        review_tables, n_reviews = _reviews(
            r_reviews,
            spec,
            window,
            catalog,
            a_cust[li_all],
            a_day[li_all],
            li_prod,
            li_returned,
            (li_kind == 0) & (bad_line < 0) & ~in_bad_order,
            reviewer,
            satisfaction,
            ordering,
            cust_number,
            counts,
        )

    # Planted follow-ups: own random stream, after everything else (the rest is unchanged) --
    r_follow = np.random.default_rng(np.random.SeedSequence([seed, spec.index, 9_000_001]))
    f_ord, f_prod = plant_follow_ups(r_follow, o_cust, catalog)
    if f_ord.size:
        li_all = np.concatenate([li_all, f_ord])
        li_prod = np.concatenate([li_prod, f_prod])
        li_qty = np.concatenate([li_qty, np.ones(len(f_ord), dtype=np.int64)])
        li_price = np.concatenate([li_price, catalog.list_price_cents[f_prod]])
        bad_line = np.concatenate([bad_line, np.full(len(f_ord), -1, dtype=np.int64)])
        duplicate = np.concatenate([duplicate, np.zeros(len(f_ord), dtype=bool)])
        line_sort = np.lexsort((li_prod, pos[li_all]))
        li_all, li_prod, li_qty, li_price, bad_line, duplicate = (
            x[line_sort] for x in (li_all, li_prod, li_qty, li_price, bad_line, duplicate)
        )
        in_bad_order = bad_order[li_all] >= 0
        n_li = len(li_all)
    counts["follow_up_lines"] += len(f_ord)

    # Text tables ------------------------------------------------------------------------
    cust_ids = fmt.ids("", cust_number, 8)
    customers = fmt.table(
        {
            "customer_id": cust_ids,
            "signup_date": fmt.dates(window.epoch_day + signup),
            "country": pa.array(np.array(COUNTRIES, dtype=object)[country], type=pa.string()),
        }
    )
    order_numbers = spec.order_base + np.arange(n_all, dtype=np.int64)
    order_ids = fmt.ids("O", order_numbers, 9)
    sorted_cust = a_cust[by_time]
    cust_text = fmt.ids("", cust_number[ordering][np.maximum(sorted_cust, 0)], 8)
    cust_text = fmt.null_where(cust_text, sorted_cust < 0)
    order_seconds = (window.epoch_day + a_day[by_time]) * _DAY + a_sec[by_time]
    order_date = fmt.timestamps(order_seconds)
    bad_sorted = bad_order[by_time]
    bad_pos = np.flatnonzero(bad_sorted >= 0)
    impossible = f"{window.start.year}-02-30 10:00:00"
    order_date = fmt.replace(
        order_date,
        bad_pos,
        [impossible if k == 0 else None for k in bad_sorted[bad_pos].tolist()],
    )
    orders = fmt.table({"order_id": order_ids, "customer_id": cust_text, "order_date": order_date})

    product_ids = pa.array(catalog.product_ids, type=pa.string())
    li_pos = pos[li_all]
    item_order = order_ids.take(pa.array(li_pos))
    item_product = product_ids.take(pa.array(li_prod))
    item_qty = fmt.integers(li_qty)
    item_price = fmt.cents(li_price)
    bl = np.flatnonzero(bad_line >= 0)
    bl_kind = bad_line[bl]
    kind_names = [INVALID_LINE_KINDS[k][0] for k in bl_kind.tolist()]
    neg_price = fmt.cents(-li_price[bl]).to_pylist()
    for column, kinds_values in (
        ("quantity", {"quantity_not_a_number": "three", "quantity_zero": "0"}),
        (
            "unit_price",
            {"unit_price_missing": None, "unit_price_zero": "0", "unit_price_negative": ""},
        ),
        ("product_id", {"unknown_product": UNKNOWN_PRODUCT_ID}),
    ):
        sel = [i for i, k in enumerate(kind_names) if k in kinds_values]
        values: list[str | None] = []
        for i in sel:
            value = kinds_values[kind_names[i]]
            values.append(neg_price[i] if kind_names[i] == "unit_price_negative" else value)
        positions = bl[sel]
        if column == "quantity":
            item_qty = fmt.replace(item_qty, positions, values)
        elif column == "unit_price":
            item_price = fmt.replace(item_price, positions, values)
        else:
            item_product = fmt.replace(item_product, positions, values)
    items = fmt.table(
        {
            "order_id": item_order,
            "product_id": item_product,
            "quantity": item_qty,
            "unit_price": item_price,
        }
    )
    if duplicate.any():
        items = items.take(pa.array(np.repeat(np.arange(n_li), 1 + duplicate.astype(np.int64))))

    # Planted invalid rows -----------------------------------------------------------------
    inv_file: list[str] = []
    inv_key: list[str] = []
    inv_kind: list[str] = []
    inv_col: list[str] = []
    bad_order_ids = order_ids.take(pa.array(bad_pos)).to_pylist()
    for oid, k in zip(bad_order_ids, bad_sorted[bad_pos].tolist(), strict=True):
        kind, column = INVALID_ORDER_KINDS[k]
        inv_file.append("orders")
        inv_key.append(f"order_id={oid}")
        inv_kind.append(kind)
        inv_col.append(column)
        counts[f"invalid.{kind}"] += 1
    bad_lines = np.flatnonzero(in_bad_order | (bad_line >= 0))
    bad_line_orders = item_order.take(pa.array(bad_lines)).to_pylist()
    bad_line_products = item_product.take(pa.array(bad_lines)).to_pylist()
    for i, oid, pid in zip(bad_lines.tolist(), bad_line_orders, bad_line_products, strict=True):
        if bad_line[i] >= 0:
            kind, column = INVALID_LINE_KINDS[bad_line[i]]
        else:
            kind, column = ORDER_REJECTED_KIND
        inv_file.append("order_items")
        inv_key.append(f"order_id={oid}|product_id={pid}")
        inv_kind.append(kind)
        inv_col.append(column)
        counts[f"invalid.{kind}"] += 1
    invalid = fmt.table(
        {
            "file": fmt.strings(list(inv_file)),
            "natural_key": fmt.strings(list(inv_key)),
            "kind": fmt.strings(list(inv_kind)),
            "column": fmt.strings(list(inv_col)),
        }
    )

    # Truth about customers -----------------------------------------------------------------
    arch_names = np.array(ARCHETYPE_NAMES, dtype=object)[arch]
    ordering_ids = cust_ids.take(pa.array(ordering))
    churned = churn_day >= 0
    churn_text = fmt.dates(window.epoch_day + np.maximum(churn_day, 0))
    churn_text = fmt.null_where(churn_text, ~churned)
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

    counts["customers"] += n
    counts["ordering_customers"] += m
    counts["never_ordered_customers"] += n - m
    counts["churned_customers"] += int(churned.sum())
    for a, name in enumerate(ARCHETYPE_NAMES):
        counts[f"archetype.{name}"] += int((arch == a).sum())
    counts["purchase_orders"] += n_orders
    counts["return_orders"] += n_ret
    counts["guest_orders"] += n_guest
    counts["orders"] += n_all
    counts["purchase_lines"] += n_plines + len(f_ord)
    counts["return_lines"] += len(rl_ord)
    counts["guest_lines"] += len(gl_ord)
    counts["exact_duplicate_lines"] += int(duplicate.sum())
    counts["order_items"] += items.num_rows
    counts["invalid_orders"] += len(bad_pos)
    counts["invalid_rows"] += invalid.num_rows

    tables = {
        "customers": customers,
        "orders": orders,
        "order_items": items,
        "customer_archetypes": archetypes,
        "customer_churn": churn,
        "planted_invalid_rows": invalid,
        **review_tables,
    }
    return ChunkResult(tables=tables, counts=counts, n_orders=n_all, n_reviews=n_reviews)


def _reviews(
    rng: np.random.Generator,
    spec: ChunkSpec,
    window: Window,
    catalog: Catalog,
    line_cust: np.ndarray,
    line_day: np.ndarray,
    line_prod: np.ndarray,
    line_returned: np.ndarray,
    line_ok: np.ndarray,
    reviewer: np.ndarray,
    satisfaction: np.ndarray,
    ordering: np.ndarray,
    cust_number: np.ndarray,
    counts: Counter[str],
) -> tuple[dict[str, pa.Table], int]:
    """Reviews of reviewers' first purchase of some products, with their truth table."""
    last = window.days - 1
    sel = np.flatnonzero(line_ok & (line_cust >= 0))
    sel = sel[reviewer[line_cust[sel]]]
    c, prod, day, ret = line_cust[sel], line_prod[sel], line_day[sel], line_returned[sel]
    o = np.lexsort((day, prod, c))
    c, prod, day, ret = c[o], prod[o], day[o], ret[o]
    first = np.ones(len(c), dtype=bool)
    first[1:] = (c[1:] != c[:-1]) | (prod[1:] != prod[:-1])
    c, prod, day, ret = c[first], prod[first], day[first], ret[first]
    n = len(c)
    take = rng.random(n) < REVIEW_PRODUCT_PROB
    u = rng.random(n)
    by_u = np.lexsort((u, c))
    forced = np.ones(n, dtype=bool)
    forced[1:] = c[by_u][1:] != c[by_u][:-1]
    take[by_u[forced]] = True
    lag = 1 + np.floor(rng.gamma(2.0, REVIEW_LAG_SCALE, n)).astype(np.int64)
    latent = 0.9 + satisfaction[c] + catalog.quality[prod] + rng.normal(0.0, 0.8, n) - 1.2 * ret
    null_rating = rng.random(n) < NULL_RATING_RATE
    kind_p = np.array([1.0 - sum(TEXT_KIND_RATES.values()), *TEXT_KIND_RATES.values()])
    kind = rng.choice(len(TEXT_KINDS), n, p=kind_p)
    take &= day < last
    c, prod, day, ret, lag, latent, null_rating, kind = (
        x[take] for x in (c, prod, day, ret, lag, latent, null_rating, kind)
    )
    review_day = np.minimum(day + lag, last)
    o = np.lexsort((prod, c, review_day))
    c, prod, review_day, latent, null_rating, kind = (
        x[o] for x in (c, prod, review_day, latent, null_rating, kind)
    )
    n = len(c)
    long_kind = TEXT_KINDS.index("long")
    if spec.index == 0:
        missing = MIN_LONG_TEXTS - int((kind == long_kind).sum())
        if missing > 0:
            normal = np.flatnonzero(kind == 0)
            kind[rng.choice(normal, size=min(missing, len(normal)), replace=False)] = long_kind
    rating = 1 + np.searchsorted(np.array(RATING_THRESHOLDS), latent)
    sentiment = np.where(rating >= 4, 2, np.where(rating == 3, 1, 0))

    names = [catalog.names[i] for i in prod.tolist()]
    text: list[str | None] = [None] * n
    for k, name in enumerate(TEXT_KINDS):
        idx = np.flatnonzero(kind == k)
        counts[f"text_kind.{name}"] += len(idx)
        if not idx.size:
            continue
        s = sentiment[idx]
        nm = [names[i] for i in idx.tolist()]
        if name == "normal":
            made: list[str | None] = list(texts.normal_texts(rng, s, nm))
        elif name == "blank":
            made = [""] * len(idx)
        elif name == "null":
            made = [None] * len(idx)
        elif name == "emoji":
            made = list(texts.emoji_texts(rng, s, nm))
        elif name == "html":
            made = list(texts.html_texts(rng, s, nm))
        elif name == "non_english":
            made = list(texts.foreign_texts(rng, s, nm))
        else:
            lo, hi = LONG_TEXT_CHARS
            made = [
                texts.long_text(rng, int(si), nmi, int(rng.integers(lo, hi)))
                for si, nmi in zip(s.tolist(), nm, strict=True)
            ]
        for i, t in zip(idx.tolist(), made, strict=True):
            text[i] = t

    review_ids = fmt.ids("R", spec.review_base + np.arange(n, dtype=np.int64), 9)
    rating_text = fmt.integers(rating)
    rating_text = fmt.null_where(rating_text, null_rating)
    table = fmt.table(
        {
            "review_id": review_ids,
            "customer_id": fmt.ids("", cust_number[ordering][c], 8),
            "product_id": pa.array(catalog.product_ids, type=pa.string()).take(pa.array(prod)),
            "review_date": fmt.dates(window.epoch_day + review_day),
            "rating": rating_text,
            "review_text": fmt.strings(text),
        }
    )
    truth = fmt.table(
        {
            "review_id": review_ids,
            "intended_sentiment": pa.array(
                np.array(texts.SENTIMENTS, dtype=object)[sentiment], type=pa.string()
            ),
            "text_kind": pa.array(np.array(TEXT_KINDS, dtype=object)[kind], type=pa.string()),
        }
    )
    counts["reviews"] += n
    counts["reviewers"] += len(np.unique(c))
    counts["null_ratings"] += int(null_rating.sum())
    return {"reviews": table, "reviews_truth": truth}, n
