"""VADER scores of every distinct review text, kept incrementally: one row per text_hash.

An incremental run scores only the texts whose hash is not in the table yet (new reviews and
changed texts) or was scored under other rules (sentiment_max_chars, vaderSentiment version),
replaces those rows (delete+insert on text_hash), and its post-hook deletes the hashes no
current review has. The table is then the one a --full-refresh builds.

The model returns an Arrow table of explicit types (crm_mining.sentiment.SCORE_SCHEMA), not a
pandas frame: an incremental run is about a second, and importing pandas alone costs 0.6 s.
"""

from crm_mining.sentiment import SentimentSettings, score_text_batches, scoring_rules


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="text_hash",
        incremental_strategy="delete+insert",
        on_schema_change="fail",
    )
    # dbt passes to a Python model only the config keys it reads literally.
    settings = SentimentSettings.from_config(
        {
            "sentiment_workers": dbt.config.get("sentiment_workers"),
            "sentiment_chunk_size": dbt.config.get("sentiment_chunk_size"),
            "sentiment_parallel_threshold": dbt.config.get("sentiment_parallel_threshold"),
            "sentiment_max_chars": dbt.config.get("sentiment_max_chars"),
        }
    )
    reviews = dbt.ref("int_reviews_text_hashed").filter("text_hash is not null")
    # Hashes to score, found on the hash column alone (joining texts would be far slower).
    hashes = reviews.project("text_hash")
    if dbt.is_incremental:
        rules = scoring_rules(settings.max_chars)
        cached = session.sql(f"select text_hash from {dbt.this} where scoring_rules = '{rules}'")
        hashes = hashes.join(cached, "text_hash", how="anti")
    to_score = hashes.distinct().to_arrow_table()
    texts = (
        reviews.join(session.from_arrow(to_score), "text_hash", how="semi")
        .aggregate("text_hash, any_value(review_text) as review_text", "text_hash")
        .order("text_hash")
    )
    return score_text_batches(
        texts.to_arrow_reader(settings.chunk_size), to_score.num_rows, settings
    )
