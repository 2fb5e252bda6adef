"""Who a chunk's customers are and when they place their purchase orders.

Customers get an archetype, a country, a signup day and, when they order at all, noisy
per-customer behaviour (gap between orders, churn hazard, basket size, category preferences,
favourite products, review habits). Orders then come in rounds: one "k-th order" per round for
every customer still active, with a churn draw after each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.chunk import ChunkSpec
from crm_mining.datagen.params import (
    ARCHETYPES,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    FIRST_ORDER_MAX_DAYS,
    HAZARD_SIGMA,
    N_FAVOURITES,
    NEVER_ORDERED_RATE,
    REVIEWER_RATE,
)

#: Shop hours (seconds of the day): order times are drawn in [OPEN_SECOND, CLOSE_SECOND).
OPEN_SECOND, CLOSE_SECOND = 7 * 3600, 23 * 3600


def archetype_values(name: str) -> np.ndarray:
    """One float per archetype (in ARCHETYPES order): its attribute `name`."""
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=float)


SHARE = archetype_values("share")
MIX = np.array([a.category_mix for a in ARCHETYPES], dtype=float)
_GAP_MEAN = archetype_values("gap_mean")
_GAP_SHAPE = archetype_values("gap_shape")
_GAP_SIGMA = archetype_values("gap_sigma")
_H_BASE = archetype_values("hazard_base")
_H_FLOOR = archetype_values("hazard_floor")
_H_TAU = archetype_values("hazard_tau")
_MAX_ORDERS = archetype_values("max_orders")
_BASKET = archetype_values("basket_extra")
_SIGNUP = np.array([a.signup_window for a in ARCHETYPES], dtype=float)
_CONC = archetype_values("mix_concentration")


@dataclass(frozen=True)
class Customers:
    """A chunk's customers.

    number, signup (day index in the window) and country describe every customer of the chunk;
    ordering holds the positions of those who order, and every other array describes those, in
    that order (a "customer" elsewhere in the chunk is a position in ordering).
    """

    number: np.ndarray
    signup: np.ndarray
    country: np.ndarray
    ordering: np.ndarray
    archetype: np.ndarray
    gap_mean: np.ndarray
    hazard_mult: np.ndarray
    basket: np.ndarray
    cum_pref: np.ndarray
    favourites: np.ndarray
    satisfaction: np.ndarray
    reviewer: np.ndarray


@dataclass(frozen=True)
class PurchaseTimes:
    """Purchase orders sorted by (customer, day), and each ordering customer's churn day.

    next_order: index of the same customer's next order, -1 for their last one; churn_day: per
    ordering customer, the day they churned, -1 when still active at the end of the window.
    """

    customer: np.ndarray
    day: np.ndarray
    second: np.ndarray
    next_order: np.ndarray
    churn_day: np.ndarray


def draw_customers(
    rng: np.random.Generator, spec: ChunkSpec, n_days: int, catalog: Catalog
) -> Customers:
    """The chunk's customers and the behaviour of those who order (all from `rng`)."""
    n = spec.n_customers
    never = rng.random(n) < NEVER_ORDERED_RATE
    arch_all = rng.choice(len(ARCHETYPES), size=n, p=SHARE / SHARE.sum())
    weights = np.array(COUNTRY_WEIGHTS)
    country = rng.choice(len(COUNTRIES), size=n, p=weights / weights.sum())
    lo, hi = _SIGNUP[arch_all, 0], _SIGNUP[arch_all, 1]
    signup = np.floor((lo + (hi - lo) * rng.random(n)) * n_days).astype(np.int64)
    signup = np.where(never, rng.integers(0, n_days, n), signup)
    ordering = np.flatnonzero(~never)
    m = len(ordering)
    arch = arch_all[ordering]
    gap_mean = _GAP_MEAN[arch] * np.exp(_GAP_SIGMA[arch] * rng.standard_normal(m))
    hazard_mult = np.exp(HAZARD_SIGMA * rng.standard_normal(m))
    basket = _BASKET[arch] * np.exp(0.3 * rng.standard_normal(m))
    # Category preferences: Dirichlet(mix * concentration), kept as cumulative shares so that a
    # uniform picks a category with one comparison per category.
    pref = rng.gamma(MIX[arch] * _CONC[arch][:, None])
    cum_pref = np.cumsum(pref / pref.sum(axis=1, keepdims=True), axis=1)
    cum_pref[:, -1] = 1.0
    fav_cat = (rng.random((m, N_FAVOURITES, 1)) >= cum_pref[:, None, :]).sum(axis=2)
    favourites = catalog.pick(
        fav_cat.ravel(), rng.random(m * N_FAVOURITES), favourite=True
    ).reshape(m, N_FAVOURITES)
    satisfaction = rng.normal(0.0, 0.7, m)
    reviewer = rng.random(m) < REVIEWER_RATE
    return Customers(
        number=spec.first_customer + np.arange(n, dtype=np.int64),
        signup=signup,
        country=country,
        ordering=ordering,
        archetype=arch,
        gap_mean=gap_mean,
        hazard_mult=hazard_mult,
        basket=basket,
        cum_pref=cum_pref,
        favourites=favourites,
        satisfaction=satisfaction,
        reviewer=reviewer,
    )


def draw_purchase_times(
    rng: np.random.Generator, customers: Customers, n_days: int
) -> PurchaseTimes:
    """Days and times of the purchase orders: rounds of "next order" with a churn draw after each.

    The first order comes 0..FIRST_ORDER_MAX_DAYS days after signup; each next one a gamma gap
    later, unless the customer churns (hazard by archetype, falling with the number of orders)
    or the window ends.
    """
    last = n_days - 1
    arch = customers.archetype
    m = len(arch)
    first = rng.integers(0, FIRST_ORDER_MAX_DAYS + 1, m)
    cur = np.minimum(customers.signup[customers.ordering] + first, last).astype(float)
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
        hazard = np.minimum(hazard * customers.hazard_mult[idx], 1.0)
        hazard = np.where((_MAX_ORDERS[a] > 0) & (k >= _MAX_ORDERS[a]), 1.0, hazard)
        shape = _GAP_SHAPE[a]
        gap = np.maximum(rng.gamma(shape, customers.gap_mean[idx] / shape), 1.0)
        churn = rng.random(idx.size) < hazard
        # A churned customer's churn day falls between this order and the next it would place.
        at = np.floor(cur[idx]).astype(np.int64) + 1 + np.floor(rng.random(idx.size) * gap)
        at = at.astype(np.int64)
        churn_day[idx[churn]] = np.where(at[churn] <= last, at[churn], -1)
        cur[idx] = cur[idx] + gap
        idx = idx[~churn & (cur[idx] < n_days)]
    o_cust = np.concatenate(rec_cust)
    o_day = np.concatenate(rec_day)
    order = np.lexsort((o_day, o_cust))
    o_cust, o_day = o_cust[order], o_day[order]
    n_orders = len(o_cust)
    second = rng.integers(OPEN_SECOND, CLOSE_SECOND, n_orders)
    next_order = np.full(n_orders, -1, dtype=np.int64)
    same = o_cust[1:] == o_cust[:-1]
    next_order[:-1][same] = np.arange(1, n_orders)[same]
    return PurchaseTimes(o_cust, o_day, second, next_order, churn_day)
