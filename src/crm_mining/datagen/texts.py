"""Review texts that agree with the intended sentiment, built from templates and product names.

Sentiment codes: 0 negative (ratings 1-2), 1 neutral (3), 2 positive (4-5). Every kind of text
(normal, html, emoji, non_english, long) has templates per sentiment, so that a sentiment
scorer such as VADER correlates with the rating on the English ones.
"""

from __future__ import annotations

import numpy as np

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

_OPENERS: tuple[tuple[str, ...], ...] = (
    (
        "Terrible.",
        "Very disappointed.",
        "Awful experience.",
        "Do not buy.",
        "Poor quality.",
        "Waste of money.",
        "Really bad.",
        "Horrible.",
    ),
    (
        "It's okay.",
        "Average.",
        "Decent enough.",
        "Does the job.",
        "Mixed feelings.",
        "As expected.",
        "Fine, I suppose.",
    ),
    (
        "Love it!",
        "Absolutely fantastic.",
        "Great purchase.",
        "Excellent quality.",
        "Really happy with this.",
        "Five stars!",
        "Exceeded my expectations.",
        "Superb!",
        "Very pleased.",
        "Wonderful product.",
    ),
)
_BODIES: tuple[tuple[str, ...], ...] = (
    (
        "The {p} broke after two days.",
        "The {p} stopped working and support was useless.",
        "The {p} looks cheap and feels flimsy.",
        "The {p} arrived damaged and late.",
        "The {p} is nothing like the description, awful.",
        "I returned the {p} because it was so bad.",
        "The {p} is a poor product, I regret buying it.",
    ),
    (
        "The {p} is fine for the price, nothing special.",
        "The {p} works, the finish is average.",
        "The {p} arrived on time; it is an ordinary product.",
        "The {p} has some good points and some weak ones.",
        "The {p} is okay but I expected a little more.",
        "The {p} is a standard product, nothing more.",
    ),
    (
        "The {p} works perfectly and looks great.",
        "I use the {p} every day and it is excellent.",
        "The {p} arrived quickly and the quality is amazing.",
        "Best {p} I have bought, highly recommend.",
        "The {p} is well made and great value.",
        "My family loves the {p}.",
        "The {p} does exactly what I wanted, brilliant.",
        "Fast delivery and the {p} is perfect.",
    ),
)
_CLOSERS: tuple[tuple[str, ...], ...] = (
    ("Never again.", "I want a refund.", "Avoid.", "Very frustrating.", "Disappointing.", ""),
    ("Might buy again.", "It is what it is.", "Fair enough.", "Nothing more to say.", ""),
    (
        "Highly recommended!",
        "Will definitely buy again.",
        "Thank you!",
        "Great value for money.",
        "Very satisfied.",
        "Would recommend to friends.",
        "",
    ),
)
_HTML: tuple[tuple[str, ...], ...] = (
    (
        "Poor quality &amp; slow delivery. The {p} broke.",
        "The {p} is &quot;new&quot;? It arrived damaged &amp; dirty. Awful.",
        "Terrible {p} &ndash; stopped working after a week &amp; no refund.",
        "&lt;b&gt;Do not buy&lt;/b&gt; the {p}, very bad.",
    ),
    (
        "The {p} is ok &amp; does the job.",
        "&quot;Fine&quot; is the word &ndash; the {p} is average.",
        "Delivery on time &amp; the {p} is acceptable, nothing special.",
    ),
    (
        "Great value &amp; fast delivery. The {p} is excellent!",
        "Love the {p} &lt;3 &ndash; highly recommend.",
        "&quot;Best purchase this year&quot; &ndash; the {p} is great &amp; sturdy.",
        "Five stars &#9733;&#9733;&#9733;&#9733;&#9733; for the {p}, love it.",
        "Excellent {p} &amp; friendly service &#128077;",
    ),
)
_EMOJI: tuple[tuple[str, ...], ...] = (
    (
        "\U0001f620\U0001f44e",
        "\U0001f622\U0001f622",
        "\U0001f61e\U0001f44e",
        "Broke after a week \U0001f620\U0001f44e",
        "The {p} is terrible \U0001f44e",
        "So disappointed \U0001f61e",
        "Waste of money \U0001f4b8\U0001f620",
    ),
    (
        "\U0001f610",
        "\U0001f610\U0001f937",
        "It's ok \U0001f610",
        "The {p} is fine \U0001f937",
        "Meh \U0001f610",
    ),
    (
        "\U0001f60d\U0001f44d",
        "\U0001f60d\U0001f60d\U0001f60d",
        "\U0001f44d\U0001f44d\U0001f44d",
        "\U0001f60a\U0001f44d",
        "Love it \U0001f60d\U0001f44d",
        "The {p} is amazing \U0001f929",
        "Great {p} \U0001f44d\U0001f60a",
        "Perfect gift \U0001f381\u2764\ufe0f",
    ),
)
_FOREIGN: tuple[tuple[str, ...], ...] = (
    (
        "Muy malo. {p}: se rompió a los dos días, no lo recomiendo.",
        "Pésima calidad, una decepción total.",
        "Schlechte Qualität, {p} war nach einer Woche kaputt. Nicht empfehlenswert.",
        "Sehr enttäuscht, leider unbrauchbar.",
        "Très déçu. {p} : mauvaise qualité, cassé rapidement.",
        "Nul, à éviter absolument.",
    ),
    (
        "Está bien, normal. {p}: cumple sin más.",
        "Ni bueno ni malo.",
        "Ganz okay. {p}: erfüllt seinen Zweck, mehr nicht.",
        "Durchschnittlich.",
        "Correct, sans plus. {p} : fait le travail.",
        "Moyen, rien de spécial.",
    ),
    (
        "¡Me encanta! {p}: excelente, muy recomendable.",
        "Muy buena calidad, llegó rápido. Perfecto.",
        "Super Produkt! {p}: ausgezeichnet, sehr zu empfehlen.",
        "Tolle Qualität und schnelle Lieferung. Sehr zufrieden!",
        "J'adore ! {p} : excellent, je recommande vivement.",
        "Très bonne qualité, livraison rapide. Parfait.",
    ),
)


def _fill(template: str, product: str) -> str:
    return template.replace("{p}", product)


def normal_texts(rng: np.random.Generator, sentiment: np.ndarray, products: list[str]) -> list[str]:
    """Opener + body (naming the product) + closer, all of the intended sentiment."""
    n = len(products)
    u = rng.random((n, 3))
    out: list[str] = []
    for s, p, (a, b, c) in zip(sentiment.tolist(), products, u.tolist(), strict=True):
        op, bo, cl = _OPENERS[s], _BODIES[s], _CLOSERS[s]
        text = f"{op[int(a * len(op))]} {_fill(bo[int(b * len(bo))], p.lower())}"
        closer = cl[int(c * len(cl))]
        out.append(f"{text} {closer}" if closer else text)
    return out


def _from_pool(
    rng: np.random.Generator,
    pools: tuple[tuple[str, ...], ...],
    sentiment: np.ndarray,
    products: list[str],
    lower: bool,
) -> list[str]:
    u = rng.random(len(products)).tolist()
    out: list[str] = []
    for s, p, a in zip(sentiment.tolist(), products, u, strict=True):
        pool = pools[s]
        out.append(_fill(pool[int(a * len(pool))], p.lower() if lower else p))
    return out


def html_texts(rng: np.random.Generator, sentiment: np.ndarray, products: list[str]) -> list[str]:
    """Texts with HTML entities (&amp;, &quot;, &lt;, &#9733; ...)."""
    return _from_pool(rng, _HTML, sentiment, products, lower=True)


def emoji_texts(rng: np.random.Generator, sentiment: np.ndarray, products: list[str]) -> list[str]:
    """Emoji-only or emoji-rich texts."""
    return _from_pool(rng, _EMOJI, sentiment, products, lower=True)


def foreign_texts(
    rng: np.random.Generator, sentiment: np.ndarray, products: list[str]
) -> list[str]:
    """Spanish, German or French texts of the intended sentiment."""
    return _from_pool(rng, _FOREIGN, sentiment, products, lower=False)


def long_text(rng: np.random.Generator, sentiment: int, product: str, chars: int) -> str:
    """A text of about `chars` characters: sentences of the sentiment, in paragraphs."""
    paragraphs: list[str] = []
    sentences: list[str] = []
    size = 0
    while size < chars:
        # Neutral long texts use the bodies only: openers and closers lean slightly positive,
        # which adds up over thousands of characters.
        part = 1 if sentiment == 1 else int(rng.integers(3))
        pool = (_OPENERS, _BODIES, _CLOSERS)[part][sentiment]
        sentence = _fill(pool[int(rng.integers(len(pool)))], product.lower())
        if not sentence:
            continue
        sentences.append(sentence)
        size += len(sentence) + 1
        if len(sentences) == 6:
            paragraphs.append(" ".join(sentences))
            sentences = []
            size += 1
    if sentences:
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)[:chars].rstrip()
