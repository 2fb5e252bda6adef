"""Simulated reviews: which purchases reviewers review, when, the rating and the text.

Reviews come from a chunk's valid purchase lines and its customers' review habits; they leave
the orders untouched (their random stream is their own), so --no-reviews changes nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from crm_mining.datagen import formatting as fmt
from crm_mining.datagen import texts
from crm_mining.datagen.behaviour import Customers
from crm_mining.datagen.catalog import Catalog
from crm_mining.datagen.chunk import ChunkSpec, Window
from crm_mining.datagen.params import (
    LONG_TEXT_CHARS,
    MIN_LONG_TEXTS,
    NULL_RATING_RATE,
    RATING_THRESHOLDS,
    REVIEW_LAG_SCALE,
    REVIEW_PRODUCT_PROB,
    TEXT_KIND_RATES,
)

TEXT_KINDS: tuple[str, ...] = ("normal", *TEXT_KIND_RATES)


@dataclass(frozen=True)
class ReviewableLines:
    """Order lines as the review stage sees them, one entry per line.

    customer: position among the ordering customers (-1 for guests); ok: a valid purchase line
    (not a return, not invalid, not in an invalid order).
    """

    customer: np.ndarray
    day: np.ndarray
    product: np.ndarray
    returned: np.ndarray
    ok: np.ndarray


@dataclass(frozen=True)
class _Drawn:
    """The reviews kept, sorted by (review day, customer, product)."""

    customer: np.ndarray
    product: np.ndarray
    day: np.ndarray
    latent: np.ndarray
    null_rating: np.ndarray
    kind: np.ndarray


def _first_purchases(
    lines: ReviewableLines, reviewer: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(customer, product, day, returned) of each reviewer's first purchase of each product."""
    sel = np.flatnonzero(lines.ok & (lines.customer >= 0))
    sel = sel[reviewer[lines.customer[sel]]]
    c, prod = lines.customer[sel], lines.product[sel]
    day, ret = lines.day[sel], lines.returned[sel]
    o = np.lexsort((day, prod, c))
    c, prod, day, ret = c[o], prod[o], day[o], ret[o]
    first = np.ones(len(c), dtype=bool)
    first[1:] = (c[1:] != c[:-1]) | (prod[1:] != prod[:-1])
    return c[first], prod[first], day[first], ret[first]


def _draw_reviews(
    rng: np.random.Generator,
    lines: ReviewableLines,
    customers: Customers,
    catalog: Catalog,
    last_day: int,
    plant_long_texts: bool,
) -> _Drawn:
    """Which first purchases get a review (at least one per reviewer), its day, latent rating
    and text kind; plant_long_texts tops the long texts up to MIN_LONG_TEXTS."""
    c, prod, day, ret = _first_purchases(lines, customers.reviewer)
    n = len(c)
    take = rng.random(n) < REVIEW_PRODUCT_PROB
    # Every reviewer reviews at least one product: the one with the smallest uniform.
    u = rng.random(n)
    by_u = np.lexsort((u, c))
    forced = np.ones(n, dtype=bool)
    forced[1:] = c[by_u][1:] != c[by_u][:-1]
    take[by_u[forced]] = True
    lag = 1 + np.floor(rng.gamma(2.0, REVIEW_LAG_SCALE, n)).astype(np.int64)
    latent = (
        0.9
        + customers.satisfaction[c]
        + catalog.quality[prod]
        + rng.normal(0.0, 0.8, n)
        - 1.2 * ret
    )
    null_rating = rng.random(n) < NULL_RATING_RATE
    kind_p = np.array([1.0 - sum(TEXT_KIND_RATES.values()), *TEXT_KIND_RATES.values()])
    kind = rng.choice(len(TEXT_KINDS), n, p=kind_p)
    take &= day < last_day
    c, prod, day, lag, latent, null_rating, kind = (
        x[take] for x in (c, prod, day, lag, latent, null_rating, kind)
    )
    review_day = np.minimum(day + lag, last_day)
    o = np.lexsort((prod, c, review_day))
    c, prod, review_day, latent, null_rating, kind = (
        x[o] for x in (c, prod, review_day, latent, null_rating, kind)
    )
    long_kind = TEXT_KINDS.index("long")
    if plant_long_texts:
        missing = MIN_LONG_TEXTS - int((kind == long_kind).sum())
        if missing > 0:
            normal = np.flatnonzero(kind == 0)
            kind[rng.choice(normal, size=min(missing, len(normal)), replace=False)] = long_kind
    return _Drawn(c, prod, review_day, latent, null_rating, kind)


def _review_texts(
    rng: np.random.Generator,
    kind: np.ndarray,
    sentiment: np.ndarray,
    names: list[str],
    counts: Counter[str],
) -> list[str | None]:
    """The text of each review, by text kind (in TEXT_KINDS order), matching its sentiment."""
    text: list[str | None] = [None] * len(kind)
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
    return text


def simulate_reviews(
    rng: np.random.Generator,
    spec: ChunkSpec,
    window: Window,
    catalog: Catalog,
    customers: Customers,
    lines: ReviewableLines,
    counts: Counter[str],
) -> tuple[dict[str, pa.Table], int]:
    """Reviews of reviewers' first purchase of some products, with their truth table.

    Returns the tables `reviews` and `reviews_truth` and the number of reviews; review ids
    continue from spec.review_base; the first chunk plants the minimum of long texts.
    """
    drawn = _draw_reviews(rng, lines, customers, catalog, window.days - 1, spec.index == 0)
    n = len(drawn.customer)
    rating = 1 + np.searchsorted(np.array(RATING_THRESHOLDS), drawn.latent)
    sentiment = np.where(rating >= 4, 2, np.where(rating == 3, 1, 0))
    names = [catalog.names[i] for i in drawn.product.tolist()]
    text = _review_texts(rng, drawn.kind, sentiment, names, counts)

    review_ids = fmt.ids("R", spec.review_base + np.arange(n, dtype=np.int64), 9)
    rating_text = fmt.null_where(fmt.integers(rating), drawn.null_rating)
    customer_number = customers.number[customers.ordering][drawn.customer]
    table = fmt.table(
        {
            "review_id": review_ids,
            "customer_id": fmt.ids("", customer_number, 8),
            "product_id": pa.array(catalog.product_ids, type=pa.string()).take(
                pa.array(drawn.product)
            ),
            "review_date": fmt.dates(window.epoch_day + drawn.day),
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
            "text_kind": pa.array(np.array(TEXT_KINDS, dtype=object)[drawn.kind], type=pa.string()),
        }
    )
    counts["reviews"] += n
    counts["reviewers"] += len(np.unique(drawn.customer))
    counts["null_ratings"] += int(drawn.null_rating.sum())
    return {"reviews": table, "reviews_truth": truth}, n
