"""VADER sentiment of review texts: text rules, cache key, chunked multi-process scoring.

The dbt Python model ``int_review_texts_scored`` calls these helpers; they know nothing of dbt.

Text rules (the only ones; see docs/sentiment.md):

- A text is scored exactly as stored: no unescaping of HTML entities, no emoji translation beyond
  what VADER itself does, no change of case, whitespace or control characters.
- Only the first ``max_chars`` characters (Unicode code points) are scored. VADER's time grows
  with the square of the text's length (about 0.1 s at 10,000 characters, 12 s at 100,000), so a
  longer text is truncated there; its row says ``is_text_truncated``. For every text up to
  ``max_chars`` characters the scores are exactly
  ``SentimentIntensityAnalyzer().polarity_scores(text)``; for a longer one they are exactly
  ``polarity_scores(text[:max_chars])``.
- A text without any word (null, empty, or whitespace only: ``text.split()`` is empty, which is
  how VADER tokenises) has no scores (null) and the label ``no_text``.

Texts are identified by ``text_hash``: the MD5 of their UTF-8 bytes as lowercase hex, which is
what SQL ``md5(review_text)`` (dbt's ``dbt.hash``) gives, so the key is computed upstream in SQL.

Scoring reads its input in chunks (Arrow record batches) and keeps at most ``2 x workers``
chunks in flight, so memory is bounded whatever the number of texts; large batches are spread
over worker processes. Output rows come back in input order and the result is sorted by
``text_hash``: the same input gives the same table whatever the number of workers or the chunk
size. The result is an Arrow table (dbt-duckdb writes it as it writes a pandas frame): this
module does not import pandas, whose import alone is ~0.6 s of every incremental run.

Workers are forked from a fork server (``multiprocessing``'s ``forkserver``), a small process
started once per dbt process that has imported the caller's ``__main__`` (dbt's command) and this
module, not from dbt's own process. Forking dbt itself made the workers share its memory page by
page, copy-on-write: as dbt went on (DuckDB reusing its buffers, the other threads' models), each
page it wrote was copied: a 100 M-line build scoring 3.3 M texts under an 8 GB cap was killed
there, dbt holding 4.9 GB and the workers about 3 GB of pages it had rewritten
(docs/benchmarks.md). Forking a threaded process is also what Python warns against. The server
costs one import of dbt (2 to 3 s, once), paid only when a batch is large enough for workers
(``sentiment_parallel_threshold``).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import numpy as np
import pyarrow as pa

from crm_mining.config import config_int

#: Label thresholds of the VADER authors: positive when compound >= 0.05, negative when <= -0.05.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
#: Label of a review without text (null, empty or whitespace only).
NO_TEXT_LABEL = "no_text"
SENTIMENT_LABELS: tuple[str, ...] = ("positive", "neutral", "negative", NO_TEXT_LABEL)

#: Columns of the score table, in order, with their types. An Arrow table rather than a pandas
#: frame: dbt-duckdb writes either, and importing pandas alone costs ~0.6 s of every run.
SCORE_SCHEMA = pa.schema(
    [
        ("text_hash", pa.string()),
        ("text_length", pa.int64()),
        ("is_text_truncated", pa.bool_()),
        ("has_words", pa.bool_()),
        ("compound", pa.float64()),
        ("positive", pa.float64()),
        ("neutral", pa.float64()),
        ("negative", pa.float64()),
        ("scoring_rules", pa.string()),
    ]
)
SCORE_COLUMNS: tuple[str, ...] = ("compound", "positive", "neutral", "negative")
#: polarity_scores keys, in the order of the score columns compound, positive, neutral, negative.
VADER_KEYS: tuple[str, ...] = ("compound", "pos", "neu", "neg")

VADER_VERSION = version("vaderSentiment")

_analyzer: Any = None


@dataclass(frozen=True)
class SentimentSettings:
    """Tunables of the scoring (dbt vars sentiment_*); the defaults live in dbt_project.yml."""

    #: Worker processes for large batches; None: every core of the machine.
    workers: int | None
    #: Texts per chunk read and handed to a worker.
    chunk_size: int
    #: Below this many texts to score, score in the calling process (no start-up cost).
    parallel_threshold: int
    #: Characters of a text that are scored (the rest is ignored).
    max_chars: int

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"sentiment_workers must be >= 1 or null, got {self.workers}")
        if self.chunk_size < 1:
            raise ValueError(f"sentiment_chunk_size must be >= 1, got {self.chunk_size}")
        if self.parallel_threshold < 0:
            raise ValueError(
                f"sentiment_parallel_threshold must be >= 0, got {self.parallel_threshold}"
            )
        if self.max_chars < 1:
            raise ValueError(f"sentiment_max_chars must be >= 1, got {self.max_chars}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SentimentSettings:
        """Settings from the model config (vars rendered as text); a var missing from the
        config or not an integer is an error naming it (crm_mining.config); only
        sentiment_workers may be null."""
        return cls(
            workers=config_int(config, "sentiment_workers", optional=True),
            chunk_size=config_int(config, "sentiment_chunk_size"),
            parallel_threshold=config_int(config, "sentiment_parallel_threshold"),
            max_chars=config_int(config, "sentiment_max_chars"),
        )

    def resolved_workers(self) -> int:
        """The number of worker processes: the setting, or every core when unset."""
        return self.workers if self.workers is not None else max(1, os.cpu_count() or 1)

    def workers_for(self, text_count: int) -> int:
        """Processes used for text_count texts: 1 below the threshold or with one chunk."""
        if text_count < max(self.parallel_threshold, 1) or text_count <= self.chunk_size:
            return 1
        return min(self.resolved_workers(), math.ceil(text_count / self.chunk_size))


def text_hash(text: str) -> str:
    """MD5 of the text's UTF-8 bytes as lowercase hex: equal to SQL md5(text)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def scoring_rules(max_chars: int) -> str:
    """What produced a score row; a cached row with other rules is scored again."""
    return f"vaderSentiment {VADER_VERSION}; first {max_chars} characters"


def text_to_score(text: str, max_chars: int) -> str:
    """The part of the stored text VADER scores: its first max_chars characters."""
    return text[:max_chars]


def has_words(text: str | None) -> bool:
    """True when VADER finds at least one token (text not null, empty or whitespace only)."""
    return text is not None and bool(text.split())


def sentiment_label(compound: float | None) -> str:
    """positive (compound >= 0.05), negative (<= -0.05), neutral, or no_text (no score)."""
    if compound is None or (isinstance(compound, float) and math.isnan(compound)):
        return NO_TEXT_LABEL
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _get_analyzer() -> Any:
    """One SentimentIntensityAnalyzer per process (loading its lexicons takes a few ms)."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def score_texts(texts: Sequence[str | None], max_chars: int) -> np.ndarray:
    """Scores of texts as an (n, 4) float array: compound, positive, neutral, negative.

    Row i is polarity_scores(texts[i][:max_chars]); NaN for a text without words.
    """
    analyzer = _get_analyzer()
    scores = np.full((len(texts), len(VADER_KEYS)), np.nan)
    for i, text in enumerate(texts):
        if has_words(text):
            polarity = analyzer.polarity_scores(text_to_score(text, max_chars))  # type: ignore[arg-type]
            scores[i] = [polarity[key] for key in VADER_KEYS]
    return scores


def _score_chunk(chunk: tuple[list[str | None], int]) -> np.ndarray:
    """Worker entry point: score_texts on one chunk (texts already cut to max_chars)."""
    texts, max_chars = chunk
    return score_texts(texts, max_chars)


def _ordered_map(
    function: Callable[[tuple[list[str | None], int]], np.ndarray],
    chunks: Iterable[tuple[list[str | None], int]],
    workers: int,
) -> Iterator[np.ndarray]:
    """function over chunks, in input order; with workers > 1 at most 2 x workers in flight."""
    if workers <= 1:
        for chunk in chunks:
            yield function(chunk)
        return
    context = multiprocessing.get_context("forkserver")
    # __main__ first (multiprocessing's default): workers forked from the server need not
    # import it again. No effect once this process's server runs.
    context.set_forkserver_preload(["__main__", __name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[np.ndarray]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(function, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _rechunk(batches: Iterable[pa.RecordBatch], chunk_size: int) -> Iterator[pa.RecordBatch]:
    """Record batches of at most chunk_size rows (bigger ones are sliced)."""
    for batch in batches:
        for start in range(0, batch.num_rows, chunk_size):
            yield batch.slice(start, chunk_size)


def empty_score_table() -> pa.Table:
    """The score table with no rows (every column typed)."""
    return SCORE_SCHEMA.empty_table()


def score_text_batches(
    batches: Iterable[pa.RecordBatch],
    text_count: int,
    settings: SentimentSettings,
) -> pa.Table:
    """Score a stream of (text_hash, review_text) record batches; one row per input row.

    text_count (the number of rows of the stream) decides whether worker processes are used.
    Returns a table of SCORE_SCHEMA sorted by text_hash; scores are null without words.
    """
    workers = settings.workers_for(text_count)
    hashes: list[pa.Array] = []
    lengths: list[np.ndarray] = []

    def chunks() -> Iterator[tuple[list[str | None], int]]:
        for batch in _rechunk(batches, settings.chunk_size):
            texts: list[str | None] = batch.column("review_text").to_pylist()
            hashes.append(batch.column("text_hash"))
            lengths.append(
                np.array([len(t) if t is not None else 0 for t in texts], dtype=np.int64)
            )
            # Only what is scored crosses to a worker: memory stays bounded for huge texts.
            cut = [None if t is None else t[: settings.max_chars] for t in texts]
            yield cut, settings.max_chars

    score_parts = list(_ordered_map(_score_chunk, chunks(), workers))
    if not score_parts:
        return empty_score_table()

    scores = np.concatenate(score_parts)
    text_lengths = np.concatenate(lengths)
    unscored = np.isnan(scores[:, 0])
    columns = [
        pa.chunked_array([h.cast(pa.string()) for h in hashes], type=pa.string()),
        pa.array(text_lengths),
        pa.array(text_lengths > settings.max_chars),
        pa.array(~unscored),
        *[pa.array(scores[:, i], mask=unscored) for i in range(len(SCORE_COLUMNS))],
        pa.array([scoring_rules(settings.max_chars)] * len(scores), type=pa.string()),
    ]
    table = pa.Table.from_arrays(columns, schema=SCORE_SCHEMA)
    return table.sort_by("text_hash")


def texts_batch(hashes: Sequence[str], texts: Sequence[str | None]) -> pa.RecordBatch:
    """A (text_hash, review_text) record batch, as the dbt model reads them (tests, benchmark)."""
    return pa.record_batch(
        [pa.array(hashes, type=pa.string()), pa.array(texts, type=pa.string())],
        names=["text_hash", "review_text"],
    )


def duckdb_texts_to_score(session: Any, reviews: Any, cached_hashes: Any | None) -> tuple[Any, int]:
    """texts_to_score with DuckDB's relation API, for int_review_texts_scored on DuckDB: the
    (text_hash, review_text) rows to score as a relation sorted by text_hash, and their count.

    session: the model's DuckDB connection; reviews: a relation with text_hash and review_text;
    cached_hashes: a relation of one column text_hash (None: nothing cached, a full build). The
    hashes are found on the hash column alone, then their texts joined (joining texts first is
    far slower); any text of a hash is the text, the texts of one hash being equal.
    """
    reviews = reviews.filter("text_hash is not null")
    hashes = reviews.project("text_hash")
    if cached_hashes is not None:
        hashes = hashes.join(cached_hashes, "text_hash", how="anti")
    to_score = hashes.distinct().to_arrow_table()
    texts = (
        reviews.join(session.from_arrow(to_score), "text_hash", how="semi")
        .aggregate("text_hash, any_value(review_text) as review_text", "text_hash")
        .order("text_hash")
    )
    return texts, to_score.num_rows


def texts_to_score(reviews: pa.Table, cached_hashes: pa.Array | pa.ChunkedArray | None) -> pa.Table:
    """The (text_hash, review_text) rows to score: one per hash of the reviews that is not null
    and not in cached_hashes (None: nothing cached, a full build), sorted by text_hash.

    The selection duckdb_texts_to_score makes with DuckDB's relation API, for engines whose
    DataFrames reach Python as Arrow (Spark, Databricks, Snowflake). A hash is the MD5 of its
    text, so the texts of one hash are equal and any of them (the smallest) is the text.
    """
    import pyarrow.compute as pc

    table = reviews.select(["text_hash", "review_text"])
    table = table.filter(pc.is_valid(table["text_hash"]))
    if cached_hashes is not None and len(cached_hashes) > 0:
        cached = pa.chunked_array(cached_hashes).cast(pa.string())
        table = table.filter(
            pc.invert(pc.is_in(table["text_hash"], value_set=cached.combine_chunks()))
        )
    grouped = table.group_by("text_hash").aggregate([("review_text", "min")])
    grouped = grouped.rename_columns(["text_hash", "review_text"])
    return grouped.cast(
        pa.schema([("text_hash", pa.string()), ("review_text", pa.string())])
    ).sort_by("text_hash")
