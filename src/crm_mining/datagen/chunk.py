"""What a chunk is: the window, which customers it holds, its orders and lines, what it returns.

Kept apart from simulate.py so that every stage module can take these types without importing
the pipeline that calls it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa


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


@dataclass(frozen=True)
class ChunkOrders:
    """Every order of a chunk: its purchase orders, then return orders, then guest orders.

    kind: 0 purchase, 1 return, 2 guest; customer: position among the ordering customers, -1
    for guests; by_time: the orders sorted by (day, second, index); position: each order's rank
    in that sort (its id is order_base + position); invalid_kind: index into
    INVALID_ORDER_KINDS, -1 for a valid order.
    """

    kind: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    second: np.ndarray
    by_time: np.ndarray
    position: np.ndarray
    invalid_kind: np.ndarray


@dataclass(frozen=True)
class ChunkLines:
    """Every order line of a chunk, sorted by (position of its order, product).

    order: index into ChunkOrders; price in cents; returned: a purchase line that comes back;
    invalid_kind: index into INVALID_LINE_KINDS, -1 for a valid line; duplicate: written twice.
    """

    order: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    price: np.ndarray
    returned: np.ndarray
    invalid_kind: np.ndarray
    duplicate: np.ndarray


@dataclass
class ChunkResult:
    """The Arrow tables of one chunk (data and truth) and its counts for the manifest."""

    tables: dict[str, pa.Table]
    counts: Counter[str] = field(default_factory=Counter)
    n_orders: int = 0
    n_reviews: int = 0
