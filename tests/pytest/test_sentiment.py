"""Sentiment helpers (crm_mining.sentiment): text rules, hashing and chunked multi-process scoring,
checked against direct vaderSentiment calls, DuckDB's md5 and Python's html module."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import yaml
from conftest import PROJECT_DIR
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from crm_mining import sentiment
from crm_mining.config import ConfigError
from crm_mining.sentiment import (
    SentimentSettings,
    score_text_batches,
    sentiment_label,
    text_hash,
    texts_batch,
)

VADER = SentimentIntensityAnalyzer()
SCORE_COLUMNS = ["compound", "positive", "neutral", "negative"]
#: The vars of dbt_project.yml with their defaults, as the Python model's config holds them.
PROJECT_VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
DEFAULTS = SentimentSettings.from_config(PROJECT_VARS)


def settings_with(**changes: Any) -> SentimentSettings:
    """The settings of a plain dbt build with some changed."""
    return replace(DEFAULTS, **changes)


def direct(text: str) -> list[float]:
    """compound, positive, neutral, negative of a direct vaderSentiment call."""
    scores = VADER.polarity_scores(text)
    return [scores["compound"], scores["pos"], scores["neu"], scores["neg"]]


def score_one(text: str | None, settings: SentimentSettings | None = None) -> dict[str, Any]:
    """The score row of one text, through the same path as the dbt model."""
    table = score_text_batches(
        [texts_batch(["h"], [text])], 1, settings or settings_with(workers=1)
    )
    assert table.num_rows == 1
    return table.to_pylist()[0]


def assert_scored_as_stored(text: str) -> dict[str, Any]:
    """The row's scores are exactly a direct call on the text as given (no preprocessing)."""
    row = score_one(text)
    assert bool(row["has_words"]) and not bool(row["is_text_truncated"])
    assert [float(row[c]) for c in SCORE_COLUMNS] == direct(text)
    assert row["text_length"] == len(text)
    return row


# One test per kind of difficult text ------------------------------------------------------------


def test_emoji_are_scored_by_vader_itself() -> None:
    row = assert_scored_as_stored("Love it 😍😍 👍 best purchase ever 🎉")
    assert row["compound"] > 0.05
    # An emoji-only text is scored through VADER's emoji descriptions ("crying face").
    row = assert_scored_as_stored("😢😭")
    assert sentiment_label(row["compound"]) == "negative"
    # Emoji whose description has no sentiment word ("thumbs up", "pouting face") score 0.
    row = assert_scored_as_stored("😡👍")
    assert sentiment_label(row["compound"]) == "neutral"


def test_html_entities_are_not_unescaped() -> None:
    raw = "I don&#39;t like it &amp; the lid is &quot;broken&quot; &lt;sigh&gt;"
    row = assert_scored_as_stored(raw)
    # The documented choice is visible: unescaping would change the score (negation kept).
    assert direct(html.unescape(raw))[0] != row["compound"]


def test_non_english_text_is_scored_as_is() -> None:
    for text in [
        "Das Produkt ist sehr gut, ich bin zufrieden.",
        "Producto excelente, muy recomendable.",
        "質量很好 非常滿意",
        "Отличный товар, рекомендую!",
    ]:
        assert_scored_as_stored(text)


def test_control_characters_are_left_in_place() -> None:
    text = "Great\x00 product\x07, terrible\x1b[31m lid\r\n\x0b\x0cworks\u200b fine\ufeff"
    assert_scored_as_stored(text)


def test_text_over_100_kb_is_truncated_to_max_chars() -> None:
    sentence = "The blender is great but the lid broke, not happy at all! 😀 "
    text = sentence * (110_000 // len(sentence) + 1)
    assert len(text.encode("utf-8")) > 100_000
    settings = settings_with(workers=1, max_chars=2_000)
    row = score_one(text, settings)
    assert bool(row["is_text_truncated"]) and row["text_length"] == len(text)
    assert [float(row[c]) for c in SCORE_COLUMNS] == direct(text[:2_000])
    # The default limit: a 100 KB text is scored on its first 10,000 characters.
    row = score_one(text)
    assert bool(row["is_text_truncated"])
    assert float(row["compound"]) == direct(text[:10_000])[0]
    # A text of exactly max_chars characters is not truncated.
    row = score_one(text[:2_000], settings)
    assert not bool(row["is_text_truncated"])


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t \r\n", "\u00a0\u2003"])
def test_texts_without_words_have_no_scores(text: str | None) -> None:
    row = score_one(text)
    assert not bool(row["has_words"])
    assert all(row[c] is None for c in SCORE_COLUMNS)
    assert sentiment_label(None) == "no_text"
    assert sentiment_label(float("nan")) == "no_text"


# Labels, hash, settings ---------------------------------------------------------------------


def test_label_thresholds() -> None:
    assert sentiment_label(0.05) == "positive"
    assert sentiment_label(0.0499) == "neutral"
    assert sentiment_label(0.0) == "neutral"
    assert sentiment_label(-0.0499) == "neutral"
    assert sentiment_label(-0.05) == "negative"
    assert sentiment_label(1.0) == "positive" and sentiment_label(-1.0) == "negative"


def test_text_hash_equals_sql_md5() -> None:
    texts = ["", "plain", "émoji 😀 and ümlaut", "ctrl\x07\x1b\r\n", "&amp; <b>", "日本語"]
    with duckdb.connect() as con:
        expected = con.execute(
            "select md5(t) from unnest(?) with ordinality as u(t, i) order by i", [texts]
        ).fetchall()
    assert [text_hash(t) for t in texts] == [row[0] for row in expected]


def test_settings_from_dbt_config() -> None:
    settings = SentimentSettings.from_config(
        {
            "sentiment_workers": "None",
            "sentiment_chunk_size": "2500",
            "sentiment_parallel_threshold": "0",
            "sentiment_max_chars": "500",
        }
    )
    assert settings == SentimentSettings(
        workers=None, chunk_size=2500, parallel_threshold=0, max_chars=500
    )
    config = {
        "sentiment_workers": "None",
        "sentiment_chunk_size": "5000",
        "sentiment_parallel_threshold": "100000",
        "sentiment_max_chars": "10000",
    }
    # No second default: a var missing from the config is an error naming it; only
    # sentiment_workers may be null (every core).
    assert SentimentSettings.from_config(config) == DEFAULTS
    for missing in config:
        partial = {name: value for name, value in config.items() if name != missing}
        with pytest.raises(ConfigError, match=f"var '{missing}' did not reach the model config"):
            SentimentSettings.from_config(partial)
    with pytest.raises(ConfigError, match="var 'sentiment_max_chars' must be set"):
        SentimentSettings.from_config({**config, "sentiment_max_chars": "None"})
    with pytest.raises(ConfigError, match="var 'sentiment_chunk_size' must be an integer"):
        SentimentSettings.from_config({**config, "sentiment_chunk_size": "1.5"})
    assert SentimentSettings.from_config({**config, "sentiment_workers": "1"}).workers == 1
    with pytest.raises(ValueError):
        settings_with(workers=0)
    # Below the threshold (or within one chunk) scoring stays in the calling process.
    settings = settings_with(workers=2, chunk_size=100, parallel_threshold=1_000)
    assert settings.workers_for(999) == 1
    assert settings.workers_for(1_000) == 2
    assert settings_with(workers=4, chunk_size=100, parallel_threshold=0).workers_for(150) == 2
    assert settings_with(workers=4, chunk_size=100, parallel_threshold=0).workers_for(50) == 1


def test_empty_input_gives_typed_empty_table() -> None:
    table = score_text_batches([], 0, DEFAULTS)
    assert table.num_rows == 0 and table.schema == sentiment.SCORE_SCHEMA
    with duckdb.connect() as con:
        con.register("scores", table)
        types = dict(
            con.execute("select column_name, column_type from (describe scores)").fetchall()
        )
    assert types["text_hash"] == "VARCHAR" and types["compound"] == "DOUBLE"
    assert types["is_text_truncated"] == "BOOLEAN" and types["text_length"] == "BIGINT"


def test_texts_without_any_word_give_typed_rows_without_scores() -> None:
    """A reviews file whose texts are all blank (zero usable texts), in several chunks and
    over two workers: one row per text, no score, never a crash."""
    blanks = ["", " ", "\t\n", "   ", "\u3000", None] * 7
    hashes = [f"h{i:03d}" for i in range(len(blanks))]
    batches = [texts_batch(hashes[i : i + 10], blanks[i : i + 10]) for i in range(0, 42, 10)]
    settings = settings_with(workers=2, chunk_size=4, parallel_threshold=0)
    table = score_text_batches(batches, len(blanks), settings)
    assert table.schema == sentiment.SCORE_SCHEMA and table.num_rows == len(blanks)
    assert table.column("text_hash").to_pylist() == hashes
    assert not any(table.column("has_words").to_pylist())
    for column in SCORE_COLUMNS:
        assert table.column(column).null_count == len(blanks)


# Chunked, multi-process scoring ----------------------------------------------------------------


def generated_texts(n: int) -> list[str | None]:
    rng = np.random.default_rng(5)
    words = ["good", "bad", "great", "awful", "okay", "lid", "motor", "not", "very", "!", "😀"]
    texts: list[str | None] = [
        " ".join(rng.choice(words, size=int(rng.integers(1, 12))).tolist()) for _ in range(n)
    ]
    texts[7] = None
    texts[11] = "   "
    texts[13] = "x" * 3_000 + " great"
    return texts


def test_parallel_scoring_equals_direct_calls_in_a_deterministic_order() -> None:
    texts = generated_texts(600)
    hashes = [f"{i:05d}" if t is None else text_hash(t) + f"{i:05d}" for i, t in enumerate(texts)]
    batches = [texts_batch(hashes[i : i + 250], texts[i : i + 250]) for i in range(0, 600, 250)]
    single = score_text_batches(batches, 600, settings_with(workers=1, max_chars=2_000))
    parallel = score_text_batches(
        batches,
        600,
        settings_with(workers=2, chunk_size=40, parallel_threshold=0, max_chars=2_000),
    )
    assert single.equals(parallel)
    rows = parallel.to_pylist()
    assert [row["text_hash"] for row in rows] == sorted(hashes)
    by_hash = dict(zip(hashes, texts, strict=True))
    for row in rows:
        text = by_hash[row["text_hash"]]
        if text is None or not text.split():
            assert not row["has_words"] and row["compound"] is None
        else:
            scores = [row[c] for c in SCORE_COLUMNS]
            assert scores == direct(text[:2_000])
            assert row["text_length"] == len(text)
            assert row["is_text_truncated"] == (len(text) > 2_000)


def test_parallel_map_keeps_order_and_bounds_chunks_in_flight() -> None:
    workers = 2
    pulled = 0

    def chunks() -> Iterator[tuple[list[str | None], int]]:
        nonlocal pulled
        for i in range(12):
            pulled += 1
            yield [f"text {i} is great" if i % 2 else f"text {i} is awful"], 100

    results = []
    for result in sentiment._ordered_map(sentiment._score_chunk, chunks(), workers):
        results.append(result)
        # Never more than 2 x workers chunks read ahead of what has been returned.
        assert pulled - len(results) <= 2 * workers
    compounds = [r[0, 0] for r in results]
    expected = [
        direct(f"text {i} is great" if i % 2 else f"text {i} is awful")[0] for i in range(12)
    ]
    assert compounds == expected and not any(math.isnan(c) for c in compounds)


def test_texts_to_score_selects_what_the_duckdb_path_selects() -> None:
    """The Arrow selection of the engines without DuckDB's relation API: one row per hash, null
    hashes and hashes cached under the current rules left out, sorted by hash."""
    texts = ["b text", "a text", "b text", "cached"]
    reviews = pa.table(
        {
            "review_id": ["R1", "R2", "R3", "R4", "R5"],
            "text_hash": [*(sentiment.text_hash(t) for t in texts), None],
            "review_text": [*texts, "no hash"],
        }
    )
    chosen = sentiment.texts_to_score(reviews, pa.array([sentiment.text_hash("cached")]))
    expected = sorted((sentiment.text_hash(t), t) for t in {"a text", "b text"})
    assert list(zip(*chosen.to_pydict().values(), strict=True)) == expected
    assert chosen.column_names == ["text_hash", "review_text"]
    assert sentiment.texts_to_score(reviews, None).num_rows == 3


def test_duckdb_selection_equals_the_arrow_selection() -> None:
    """The model's DuckDB path (duckdb_texts_to_score) selects what texts_to_score selects:
    the same rows in the same order, with and without a cache, on hashes repeated, null and
    cached, some of the cached ones no longer reviewed."""
    rng = np.random.default_rng(7)
    texts = [f"text {i} is {'great' if i % 3 else 'awful'}" for i in range(40)]
    picked = [texts[i] for i in rng.integers(0, len(texts), 300)]
    hashes = [None if i % 17 == 0 else sentiment.text_hash(t) for i, t in enumerate(picked)]
    reviews = pa.table({"text_hash": hashes, "review_text": picked})
    cached = pa.array([sentiment.text_hash(t) for t in [*texts[:10], "gone"]], pa.string())
    session = duckdb.connect()
    for cached_hashes in (None, cached):
        expected = sentiment.texts_to_score(reviews, cached_hashes)
        cached_relation = (
            None
            if cached_hashes is None
            else session.from_arrow(pa.table({"text_hash": cached_hashes}))
        )
        relation, count = sentiment.duckdb_texts_to_score(
            session, session.from_arrow(reviews), cached_relation
        )
        got = relation.to_arrow_table()
        assert got.to_pydict() == expected.to_pydict()
        assert count == expected.num_rows > 0
    assert count < sentiment.texts_to_score(reviews, None).num_rows
