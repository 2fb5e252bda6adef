"""The product catalogue: 400 products in 8 categories, popularity, prices, bundles, follow-ups.

The catalogue depends only on the seed (never on the number of customers), so every chunk
of a run, and runs of any size with the same seed, share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crm_mining.datagen.params import (
    BUNDLES,
    CATEGORIES,
    CATEGORY_PRICES,
    FAVOURITE_SHARPNESS,
    FOLLOW_UPS,
    PRODUCTS_PER_CATEGORY,
    ZIPF_EXPONENT,
)

_NOUNS: dict[str, tuple[str, ...]] = {
    "Electronics": (
        "Headphones",
        "Smartwatch",
        "Bluetooth Speaker",
        "Tablet",
        "Laptop Stand",
        "USB-C Charger",
        "Monitor",
        "Keyboard",
        "Webcam",
        "Power Bank",
    ),
    "Groceries": (
        "Olive Oil",
        "Basmati Rice",
        "Pasta",
        "Green Tea",
        "Oat Milk",
        "Dark Chocolate",
        "Granola",
        "Peanut Butter",
        "Tomato Sauce",
        "Honey",
        "Almond Butter",
        "Muesli",
        "Sparkling Water",
        "Rice Crackers",
    ),
    "Fashion": (
        "T-Shirt",
        "Jeans",
        "Summer Dress",
        "Hoodie",
        "Sneakers",
        "Leather Belt",
        "Scarf",
        "Rain Jacket",
        "Chinos",
        "Ankle Boots",
    ),
    "Home": (
        "Scented Candle",
        "Cushion Cover",
        "Table Lamp",
        "Bath Towel",
        "Storage Basket",
        "Cookware Set",
        "Wall Clock",
        "Duvet Cover",
        "Chef Knife",
        "Plant Pot",
    ),
    "Beauty": (
        "Face Cream",
        "Shampoo",
        "Lip Balm",
        "Body Lotion",
        "Perfume",
        "Mascara",
        "Sunscreen",
        "Face Serum",
        "Hand Soap",
        "Nail Polish",
    ),
    "Sports": (
        "Dumbbell Set",
        "Water Bottle",
        "Resistance Bands",
        "Cycling Gloves",
        "Tennis Balls",
        "Gym Bag",
        "Jump Rope",
        "Swim Goggles",
        "Foam Roller",
        "Hiking Backpack",
    ),
    "Books": (
        "Thriller Novel",
        "Cookbook",
        "Travel Guide",
        "Biography",
        "Science Fiction Novel",
        "Poetry Collection",
        "History Book",
        "Self-Help Book",
        "Graphic Novel",
        "Children's Book",
    ),
    "Toys": (
        "Building Blocks",
        "Puzzle 1000 Pieces",
        "Plush Bear",
        "Board Game",
        "Toy Car",
        "Doll House",
        "Kite",
        "Train Set",
        "Art Set",
        "Card Game",
    ),
}
_ADJECTIVES: tuple[str, ...] = (
    "Classic",
    "Premium",
    "Eco",
    "Compact",
    "Deluxe",
    "Essential",
    "Everyday",
    "Signature",
)


@dataclass(frozen=True)
class Catalog:
    """Products (index i has product_id P{i+1:05d}) with what the simulation samples from."""

    product_ids: list[str]
    names: list[str]
    #: Category index (into CATEGORIES) per product.
    category: np.ndarray
    list_price_cents: np.ndarray
    #: Latent product quality (feeds review ratings).
    quality: np.ndarray
    #: Flat cumulative popularity: category c occupies (c, c + 1]; see pick().
    flat_cum: np.ndarray
    flat_members: np.ndarray
    #: Same, with popularity sharpened (favourite products lean to the head of each category).
    fav_flat_cum: np.ndarray
    #: Bundle index of a head product, else -1.
    head_bundle: np.ndarray
    #: Partners per bundle (rows), padded with -1.
    partners: np.ndarray
    #: Product indices per bundle (head first).
    bundle_products: list[list[int]]
    #: Product indices (first, later) per planted follow-up; these products come after the
    #: others and are never picked by popularity.
    follow_up_products: list[tuple[int, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Number of products."""
        return len(self.product_ids)

    def pick(self, category: np.ndarray, u: np.ndarray, favourite: bool = False) -> np.ndarray:
        """Product indices for category indices and uniforms in [0, 1), by popularity."""
        cum = self.fav_flat_cum if favourite else self.flat_cum
        x = category + u * (1.0 - 1e-9)
        pos = np.searchsorted(cum, x, side="right")
        return self.flat_members[np.minimum(pos, len(cum) - 1)]


def _flat_cumulative(weights: list[np.ndarray]) -> np.ndarray:
    """Per-category cumulative shares shifted by the category index, concatenated."""
    parts = []
    for c, w in enumerate(weights):
        cum = np.cumsum(w / w.sum())
        cum[-1] = 1.0
        parts.append(cum + c)
    return np.concatenate(parts)


def build_catalog(seed: int) -> Catalog:
    """The catalogue of a seed: names, categories, prices, popularity, the six bundles and the
    follow-up products (after the others)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7_000_001]))
    n_cat = len(CATEGORIES)
    sizes = np.array(PRODUCTS_PER_CATEGORY)
    n = int(sizes.sum())
    # Product index -> category: shuffled so that ids do not reveal the category.
    category = rng.permutation(np.repeat(np.arange(n_cat), sizes))
    members = [np.flatnonzero(category == c) for c in range(n_cat)]

    names = [""] * n
    for c, cat in enumerate(CATEGORIES):
        combos = [f"{adj} {noun}" for noun in _NOUNS[cat] for adj in _ADJECTIVES]
        chosen = rng.choice(len(combos), size=sizes[c], replace=False)
        for slot, k in enumerate(chosen):
            names[members[c][slot]] = combos[k]

    median = np.array([CATEGORY_PRICES[c][0] for c in CATEGORIES])[category]
    sigma = np.array([CATEGORY_PRICES[c][1] for c in CATEGORIES])[category]
    low = np.array([CATEGORY_PRICES[c][2] for c in CATEGORIES])[category]
    high = np.array([CATEGORY_PRICES[c][3] for c in CATEGORIES])[category]
    price = np.clip(median * np.exp(sigma * rng.standard_normal(n)), low, high)
    list_price_cents = (np.ceil(price) * 100 - 1).astype(np.int64)
    quality = rng.normal(0.0, 0.5, n)

    # Zipf popularity within each category, ranks in random order.
    weights = [(rng.permutation(size) + 1.0) ** -ZIPF_EXPONENT for size in sizes]

    # Bundles: each product takes a distinct random slot of its category.
    used: set[int] = set()
    head_bundle = np.full(n, -1, dtype=np.int64)
    max_partners = max(len(b.products) for b in BUNDLES) - 1
    partners = np.full((len(BUNDLES), max_partners), -1, dtype=np.int64)
    bundle_products: list[list[int]] = []
    heads: dict[int, list[tuple[int, float]]] = {}
    for b, bundle in enumerate(BUNDLES):
        indices: list[int] = []
        for k, (cat, name) in enumerate(bundle.products):
            c = CATEGORIES.index(cat)
            free = [s for s in range(sizes[c]) if int(members[c][s]) not in used]
            slot = int(free[int(rng.integers(len(free)))])
            product = int(members[c][slot])
            used.add(product)
            names[product] = name
            indices.append(product)
            weights[c][slot] = 0.0
            if k == 0:
                head_bundle[product] = b
                heads.setdefault(c, []).append((slot, bundle.head_share))
            else:
                partners[b, k - 1] = product
        bundle_products.append(indices)
    # Partners are never picked on their own (weight 0); a head takes its head_share of the
    # picks of its category, so that it is individually uncommon.
    for c, slots in heads.items():
        rest = weights[c].sum()
        total_share = sum(share for _, share in slots)
        for slot, share in slots:
            weights[c][slot] = share * rest / (1.0 - total_share)

    # Follow-up products: appended, from their own random stream (the rest is unchanged).
    follow_rng = np.random.default_rng(np.random.SeedSequence([seed, 7_000_002]))
    follow_up_products: list[tuple[int, int]] = []
    extra_category: list[int] = []
    for follow_up in FOLLOW_UPS:
        pair = []
        for cat, name in (follow_up.first, follow_up.later):
            pair.append(n + len(extra_category))
            extra_category.append(CATEGORIES.index(cat))
            names.append(name)
        follow_up_products.append((pair[0], pair[1]))
    if extra_category:
        extra = np.array(extra_category)
        median_, sigma_, low_, high_ = (
            np.array([CATEGORY_PRICES[CATEGORIES[c]][k] for c in extra_category]) for k in range(4)
        )
        extra_price = np.clip(
            median_ * np.exp(sigma_ * follow_rng.standard_normal(len(extra))), low_, high_
        )
        category = np.concatenate([category, extra])
        list_price_cents = np.concatenate(
            [list_price_cents, (np.ceil(extra_price) * 100 - 1).astype(np.int64)]
        )
        quality = np.concatenate([quality, follow_rng.normal(0.0, 0.5, len(extra))])
        head_bundle = np.concatenate([head_bundle, np.full(len(extra), -1, dtype=np.int64)])
    n_all = len(names)

    return Catalog(
        product_ids=[f"P{i + 1:05d}" for i in range(n_all)],
        names=names,
        category=category,
        list_price_cents=list_price_cents,
        quality=quality,
        flat_cum=_flat_cumulative(weights),
        flat_members=np.concatenate(members),
        fav_flat_cum=_flat_cumulative([w**FAVOURITE_SHARPNESS for w in weights]),
        head_bundle=head_bundle,
        partners=partners,
        bundle_products=bundle_products,
        follow_up_products=follow_up_products,
    )
