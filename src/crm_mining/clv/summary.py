"""Customer summaries (x, t_x, T) of the BG/NBD model: validation and grouping into patterns.

x: repeat purchases; t_x: time of the last purchase since the first (0 when x = 0); T: time of
the present since the first purchase. Customers with the same (x, t_x, T) contribute identical
terms to the likelihood and get identical predictions, so the model works on the distinct
patterns weighted by their counts (far fewer than the customers when time is in whole days),
and its results never depend on the order of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Patterns:
    """Distinct (x, t_x, T) customer patterns, how many customers share each, and lookups.

    x_index, age_index and recency_index point each pattern to its value in x_values,
    age_values and recency_values: terms that depend on one of them only are computed once per
    distinct value (a few hundred) instead of once per pattern.
    """

    x: np.ndarray
    t_x: np.ndarray
    age: np.ndarray
    weight: np.ndarray
    inverse: np.ndarray
    x_values: np.ndarray
    x_weight: np.ndarray
    x_index: np.ndarray
    age_values: np.ndarray
    age_index: np.ndarray
    recency_values: np.ndarray
    recency_index: np.ndarray


def as_arrays(
    x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, t_x and T as float64 arrays; ValueError unless they have the same shape."""
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    age = np.asarray(age, dtype="float64")
    if not (x.shape == t_x.shape == age.shape):
        raise ValueError("x, t_x and T must have the same length")
    return x, t_x, age


def check_summary(x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> None:
    """Raise ValueError unless the summary is a valid BG/NBD input.

    x: non-negative integers; 0 <= t_x <= T; t_x = 0 when x = 0; all finite (NaN and inf
    pass the comparisons below, so they are refused first).
    """
    x, t_x, age = as_arrays(x, t_x, age)
    for name, values in (("x", x), ("t_x", t_x), ("T", age)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be finite (no NaN or inf) for every customer")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("x must be non-negative integers")
    if np.any(t_x < 0) or np.any(t_x > age):
        raise ValueError("0 <= t_x <= T must hold for every customer")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 when x = 0")


def _group_rows(x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, starts): the rows sorted by (x, t_x, T), and where each distinct triple starts."""
    n = len(x)
    integral = n > 0 and all(np.all(v == np.floor(v)) and np.all(v >= 0) for v in (x, t_x, age))
    span = float(np.max(age)) + 1.0 if n else 1.0
    if integral and (float(np.max(x)) + 1.0) * span * span < 2.0**62:
        # Whole days: one int64 key sorts faster than three float keys, same order.
        key = (x.astype("int64") * int(span) + t_x.astype("int64")) * int(span) + age.astype(
            "int64"
        )
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.ones(n, dtype=bool)
        starts[1:] = sorted_key[1:] != sorted_key[:-1]
        return order, starts
    order = np.lexsort((age, t_x, x))
    xs, ts, ages = x[order], t_x[order], age[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (xs[1:] != xs[:-1]) | (ts[1:] != ts[:-1]) | (ages[1:] != ages[:-1])
    return order, starts


def patterns(x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> Patterns:
    """Group identical customers; the patterns come sorted by (x, t_x, T)."""
    x, t_x, age = as_arrays(x, t_x, age)
    order, starts = _group_rows(x, t_x, age)
    group = np.cumsum(starts) - 1
    inverse = np.empty(len(x), dtype="int64")
    inverse[order] = group
    weight = np.bincount(group, minlength=int(starts.sum())).astype("float64")
    first = order[starts]
    px, pt, page = x[first], t_x[first], age[first]
    x_values, x_index = np.unique(px, return_inverse=True)
    age_values, age_index = np.unique(page, return_inverse=True)
    recency_values, recency_index = np.unique(pt, return_inverse=True)
    x_weight = np.bincount(x_index, weights=weight, minlength=len(x_values))
    return Patterns(
        px, pt, page, weight, inverse,
        x_values, x_weight, x_index, age_values, age_index, recency_values, recency_index,
    )  # fmt: skip
