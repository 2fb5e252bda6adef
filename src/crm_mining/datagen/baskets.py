"""What orders hold: purchase lines (favourites, category picks, bundles), returns, guest orders.

Lines are built as unique (order, product) keys, order * n_products + product, so that a product
appears at most once per order and lines come sorted by order then product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crm_mining.datagen.behaviour import (
    CLOSE_SECOND,
    MIX,
    OPEN_SECOND,
    SHARE,
    Customers,
    PurchaseTimes,
    archetype_values,
)
from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.params import (
    BUNDLE_LATER_PROB,
    BUNDLE_PARTNER_PROB,
    CATEGORIES,
    DISCOUNT_FACTORS,
    DISCOUNT_PROBS,
    GUEST_ORDER_RATE,
    MAX_BASKET,
    N_FAVOURITES,
    RETURN_LAG_MIN,
)

_GROCERIES = CATEGORIES.index("Groceries")
_QTY = archetype_values("qty_extra")
_FAV = archetype_values("favourite_prob")
_RETURN = archetype_values("return_rate")
#: Category mix of guest orders: the archetype mixes weighted by archetype share.
_GUEST_MIX = (SHARE[:, None] * MIX).sum(axis=0) / (SHARE[:, None] * MIX).sum()


@dataclass(frozen=True)
class OrderBatch:
    """Orders of one kind (purchases, returns or guest orders) and their lines.

    customer, day, second: per order (customer -1 for guests); line_*: per line, line_order
    indexing the batch's orders; prices in cents, quantities negative on return lines.
    """

    customer: np.ndarray
    day: np.ndarray
    second: np.ndarray
    line_order: np.ndarray
    line_product: np.ndarray
    line_quantity: np.ndarray
    line_price: np.ndarray

    @property
    def n_orders(self) -> int:
        """Number of orders in the batch."""
        return len(self.customer)

    @property
    def n_lines(self) -> int:
        """Number of lines in the batch."""
        return len(self.line_order)

    @classmethod
    def empty(cls) -> OrderBatch:
        """A batch without orders (no returns or guest orders when the data is not messy)."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none, none, none)


@dataclass(frozen=True)
class Returns:
    """Return orders drawn for a batch of purchases.

    returned: per purchase line, whether it comes back; source: per return order, the purchase
    order it returns (one return order per purchase order at most); orders: the return orders.
    """

    returned: np.ndarray
    source: np.ndarray
    orders: OrderBatch

    @classmethod
    def none(cls, purchases: OrderBatch) -> Returns:
        """No return at all (data that is not messy)."""
        return cls(
            np.zeros(purchases.n_lines, dtype=bool),
            np.zeros(0, dtype=np.int64),
            OrderBatch.empty(),
        )


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
    """Unit prices in cents: list price times a discount factor drawn per line, at least 1."""
    factor = np.array(DISCOUNT_FACTORS)[
        rng.choice(len(DISCOUNT_FACTORS), len(product), p=DISCOUNT_PROBS)
    ]
    return np.maximum(np.rint(catalog.list_price_cents[product] * factor), 1).astype(np.int64)


def draw_purchase_lines(
    rng: np.random.Generator, customers: Customers, times: PurchaseTimes, catalog: Catalog
) -> OrderBatch:
    """The lines of the purchase orders: products, quantities and unit prices.

    1 + Poisson(basket) picks per order, each a favourite (with the archetype's probability) or
    a product of a category drawn from the customer's preferences; bundle partners join their
    head's order or the customer's next one. Groceries come in larger quantities.
    """
    p = catalog.size
    arch = customers.archetype
    n_orders = len(times.customer)
    n_lines = np.minimum(1 + rng.poisson(customers.basket[times.customer]), MAX_BASKET)
    l_ord = np.repeat(np.arange(n_orders), n_lines)
    lc = times.customer[l_ord]
    is_fav = rng.random(len(l_ord)) < _FAV[arch[lc]]
    fav_pick = customers.favourites[lc, rng.integers(0, N_FAVOURITES, len(l_ord))]
    cat = (rng.random(len(l_ord))[:, None] >= customers.cum_pref[lc]).sum(axis=1)
    fresh = catalog.pick(np.minimum(cat, len(CATEGORIES) - 1), rng.random(len(l_ord)))
    keys = _dedupe(l_ord, np.where(is_fav, fav_pick, fresh), p)
    keys = _add_bundles(rng, keys, catalog, times.next_order)
    pl_ord, pl_prod = np.divmod(keys, p)
    la = arch[times.customer[pl_ord]]
    groc = catalog.category[pl_prod] == _GROCERIES
    pl_qty = 1 + rng.poisson(np.where(groc, _QTY[la], _QTY[la] / 4))
    pl_price = _prices(rng, catalog, pl_prod)
    return OrderBatch(times.customer, times.day, times.second, pl_ord, pl_prod, pl_qty, pl_price)


def draw_returns(
    rng: np.random.Generator, customers: Customers, purchases: OrderBatch, last_day: int
) -> Returns:
    """Returned lines (rate by archetype) and the return orders that bring them back.

    A purchase order's returns come back together RETURN_LAG_MIN + Gamma(2, 5) days later,
    dropped when after last_day, as negative lines (1..quantity units, same unit price).
    """
    pl_ord = purchases.line_order
    line_arch = customers.archetype[purchases.customer[pl_ord]]
    returned = rng.random(purchases.n_lines) < _RETURN[line_arch]
    return_day = purchases.day + RETURN_LAG_MIN + np.floor(rng.gamma(2.0, 5.0, purchases.n_orders))
    returned &= return_day[pl_ord] <= last_day
    source = np.unique(pl_ord[returned])
    second = rng.integers(OPEN_SECOND, CLOSE_SECOND, len(source))
    rl_ord = np.searchsorted(source, pl_ord[returned])
    quantity = -(1 + np.floor(rng.random(len(rl_ord)) * purchases.line_quantity[returned])).astype(
        np.int64
    )
    orders = OrderBatch(
        customer=purchases.customer[source],
        day=return_day[source].astype(np.int64),
        second=second,
        line_order=rl_ord,
        line_product=purchases.line_product[returned],
        line_quantity=quantity,
        line_price=purchases.line_price[returned],
    )
    return Returns(returned, source, orders)


def draw_guest_orders(
    rng: np.random.Generator, catalog: Catalog, n_days: int, n_other_orders: int
) -> OrderBatch:
    """Orders without a customer: GUEST_ORDER_RATE of all orders, any category, small baskets."""
    p = catalog.size
    n_guest = int(rng.poisson(GUEST_ORDER_RATE / (1 - GUEST_ORDER_RATE) * n_other_orders))
    g_day = rng.integers(0, n_days, n_guest)
    g_sec = rng.integers(OPEN_SECOND, CLOSE_SECOND, n_guest)
    g_n = np.minimum(1 + rng.poisson(1.0, n_guest), MAX_BASKET)
    g_ord = np.repeat(np.arange(n_guest), g_n)
    g_cat = rng.choice(len(CATEGORIES), len(g_ord), p=_GUEST_MIX)
    g_keys = _dedupe(g_ord, catalog.pick(g_cat, rng.random(len(g_ord))), p)
    g_keys = _add_bundles(rng, g_keys, catalog, None)
    gl_ord, gl_prod = np.divmod(g_keys, p)
    gl_qty = 1 + rng.poisson(0.3, len(gl_ord))
    gl_price = _prices(rng, catalog, gl_prod)
    return OrderBatch(
        np.full(n_guest, -1, dtype=np.int64), g_day, g_sec, gl_ord, gl_prod, gl_qty, gl_price
    )
