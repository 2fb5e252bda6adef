"""VADER scores of every distinct review text, kept incrementally: one row per text_hash.

An incremental run scores only the texts whose hash is not in the table yet (new reviews and
changed texts) or was scored under other rules (sentiment_max_chars, vaderSentiment version),
replaces those rows (delete+insert on text_hash), and its post-hook deletes the hashes no
current review has. The table is then the one a --full-refresh builds.

On DuckDB the model selects the texts with DuckDB's relation API and returns an Arrow table of
explicit types (crm_mining.sentiment.SCORE_SCHEMA), not a pandas frame: an incremental run is
about a second, and importing pandas alone costs 0.6 s. On the engines whose dbt.ref() is a
DataFrame (PySpark on Databricks, Snowpark) it reads them as Arrow (crm_mining.frames.to_arrow),
selects the same texts (crm_mining.sentiment.texts_to_score) and returns pandas, which those
adapters write. The incremental strategy is in the YAML: delete+insert, merge on Spark.
"""

from crm_mining.frames import is_pyspark_dataframe, is_snowpark_dataframe, to_arrow
from crm_mining.sentiment import (
    SentimentSettings,
    duckdb_texts_to_score,
    score_text_batches,
    scoring_rules,
    texts_to_score,
)


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="text_hash", on_schema_change="fail")
    # dbt passes to a Python model only the config keys it reads literally.
    settings = SentimentSettings.from_config(
        {
            "sentiment_workers": dbt.config.get("sentiment_workers"),
            "sentiment_chunk_size": dbt.config.get("sentiment_chunk_size"),
            "sentiment_parallel_threshold": dbt.config.get("sentiment_parallel_threshold"),
            "sentiment_max_chars": dbt.config.get("sentiment_max_chars"),
        }
    )
    rules = scoring_rules(settings.max_chars)
    cached_sql = f"select text_hash from {dbt.this} where scoring_rules = '{rules}'"
    reviews = dbt.ref("int_reviews_text_hashed")
    if is_pyspark_dataframe(reviews) or is_snowpark_dataframe(reviews):
        cached = to_arrow(session.sql(cached_sql))["text_hash"] if dbt.is_incremental else None
        to_score = texts_to_score(to_arrow(reviews), cached)
        batches = to_score.to_batches(max_chunksize=settings.chunk_size)
        return score_text_batches(batches, to_score.num_rows, settings).to_pandas()
    cached = session.sql(cached_sql) if dbt.is_incremental else None
    texts, text_count = duckdb_texts_to_score(session, reviews, cached)
    return score_text_batches(texts.to_arrow_reader(settings.chunk_size), text_count, settings)
