"""Sentiment marts built by dbt: every score against a direct vaderSentiment call, the published
VADER figures on real reviews, the aggregates against pandas, and the incremental rebuild against
a full refresh."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import DbtRun, run_dbt, shared_dataset
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from crm_mining.sentiment import sentiment_label, text_hash

VADER = SentimentIntensityAnalyzer()
SENTIMENT_MODELS = [
    "--select",
    "+fct_review_sentiment",
    "+fct_product_sentiment",
    "+int_customers_sentiment_aggregated",
]
REVIEW_COLUMNS = ["review_id", "customer_id", "product_id", "review_date", "rating", "review_text"]
GROUNDTRUTH_PRODUCT = "vader_amazon_snippets"
ALEXA_PRODUCT = "amazon_alexa"


def write_reviews(data_dir: Path, reviews: pd.DataFrame) -> None:
    """reviews.csv plus the minimal orders and order_items a data_dir needs (dates before it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    reviews[REVIEW_COLUMNS].to_csv(data_dir / "reviews.csv", index=False, quoting=csv.QUOTE_ALL)
    (data_dir / "orders.csv").write_text("order_id,customer_id,order_date\nO1,c1,2020-01-01\n")
    (data_dir / "order_items.csv").write_text(
        "order_id,product_id,quantity,unit_price\nO1,P1,1,1.0\n"
    )


def groundtruth_reviews() -> pd.DataFrame:
    """VADER's Amazon snippets (id, human mean rating on -4..+4, text): TSV, CRLF, no header."""
    path = shared_dataset("vader_groundtruth/amazonReviewSnippets_GroundTruth.txt")
    rows = []
    with path.open(encoding="utf-8", newline="") as lines:
        for line in lines:
            snippet_id, mean, text = line.rstrip("\r\n").split("\t", 2)
            rows.append((f"gt_{snippet_id}", float(mean), text))
    frame = pd.DataFrame(rows, columns=["review_id", "human_mean", "review_text"])
    # No star rating and no date: the null-rating path of every model.
    return frame.assign(
        customer_id=[f"gc{i % 40}" for i in range(len(frame))],
        product_id=GROUNDTRUTH_PRODUCT,
        review_date=None,
        rating=None,
    )


def alexa_reviews() -> pd.DataFrame:
    """Amazon Alexa reviews (UTF-8 with BOM, TSV): rating 1..5, date dd-Mon-yy, some blank."""
    path = shared_dataset("amazon_alexa/amazon_alexa.tsv")
    frame = pd.read_csv(
        path,
        sep="\t",
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,
    )
    return pd.DataFrame(
        {
            "review_id": [f"alexa_{i:05d}" for i in range(len(frame))],
            "customer_id": [f"ac{i % 60}" for i in range(len(frame))],
            "product_id": ALEXA_PRODUCT,
            "review_date": pd.to_datetime(frame["date"], format="%d-%b-%y").dt.strftime("%Y-%m-%d"),
            "rating": frame["rating"],
            "review_text": frame["verified_reviews"],
        }
    )


@pytest.fixture(scope="module")
def dataset_reviews() -> pd.DataFrame:
    """Both real datasets as one reviews input, with the original texts."""
    return pd.concat([groundtruth_reviews(), alexa_reviews()], ignore_index=True)


@pytest.fixture(scope="module")
def dataset_build(
    dataset_reviews: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> DbtRun:
    """The sentiment models built (with their data tests) on the real reviews, scored by two
    worker processes in chunks of 500 inside dbt."""
    work = tmp_path_factory.mktemp("sentiment_datasets")
    write_reviews(work / "data", dataset_reviews)
    dbt_vars = {
        "data_dir": str(work / "data"),
        "sentiment_workers": 2,
        "sentiment_parallel_threshold": 0,
        "sentiment_chunk_size": 500,
    }
    return run_dbt(["build", *SENTIMENT_MODELS], work, dbt_vars).check()


def direct_scores(text: str | None) -> tuple[float, float, float, float] | None:
    """compound, positive, neutral, negative of a direct call; None for a text without words."""
    if text is None or not text.split():  # VADER's tokens are str.split()'s: none, no score
        return None
    scores = VADER.polarity_scores(text)
    return scores["compound"], scores["pos"], scores["neu"], scores["neg"]


def assert_scores_equal_direct_calls(marts: pd.DataFrame, texts: dict[str, str | None]) -> None:
    """Every review's four scores and label equal a direct vaderSentiment call on its text."""
    assert set(marts["review_id"]) == set(texts)
    mismatches = []
    for row in marts.itertuples():
        expected = direct_scores(texts[row.review_id])
        got = (
            None
            if pd.isna(row.compound)
            else (row.compound, row.positive, row.neutral, row.negative)
        )
        if got != expected or row.sentiment_label != sentiment_label(row.compound):
            mismatches.append((row.review_id, got, expected))
    assert not mismatches, mismatches[:5]


def test_every_compound_equals_a_direct_vader_call(
    dataset_build: DbtRun, dataset_reviews: pd.DataFrame
) -> None:
    marts = dataset_build.df("fct_review_sentiment")
    texts = dict(zip(dataset_reviews["review_id"], dataset_reviews["review_text"], strict=True))
    # Blank Alexa reviews read as null: no_text; no text is long enough to be truncated.
    assert not marts["is_text_truncated"].any()
    assert_scores_equal_direct_calls(marts, texts)
    # blank by the file, not by the code under test: the Alexa file's 79 empty texts
    blank = {rid for rid, text in texts.items() if text is None or not text.strip()}
    assert len(blank) == 79
    assert set(marts.loc[marts["sentiment_label"] == "no_text", "review_id"]) == blank


def test_generated_reviews_equal_direct_calls_and_planted_sentiment(
    generated_build: DbtRun, generated_data: Path
) -> None:
    marts = generated_build.df("fct_review_sentiment")
    stored = generated_build.df(
        "select review_id, review_text from int_reviews_validated where row_status = 'kept'"
    )
    texts = {
        row.review_id: None if pd.isna(row.review_text) else row.review_text
        for row in stored.itertuples()
    }
    assert_scores_equal_direct_calls(
        marts.loc[~marts["is_text_truncated"]],
        {rid: texts[rid] for rid in marts.loc[~marts["is_text_truncated"], "review_id"]},
    )
    # The planted truth: English template texts of a positive or negative intent get that
    # label (VADER reads the generator's neutral templates as mildly positive about 60 % of
    # the time, so neutral is checked by its average only).
    truth = pd.read_csv(generated_data / "truth" / "reviews_truth.csv", dtype=str)
    joined = marts.merge(truth, on="review_id", validate="one_to_one")
    normal = joined[joined["text_kind"] == "normal"]
    polar = normal[normal["intended_sentiment"] != "neutral"]
    assert len(polar) > 500
    agreement = (polar["sentiment_label"] == polar["intended_sentiment"]).mean()
    assert agreement >= 0.9, agreement
    means = normal.groupby("intended_sentiment")["compound"].mean()
    assert means["negative"] < means["neutral"] < means["positive"], means
    assert (joined.loc[joined["text_kind"] == "blank", "sentiment_label"] == "no_text").all()


def test_vader_groundtruth_pearson_correlation(
    dataset_build: DbtRun, dataset_reviews: pd.DataFrame
) -> None:
    marts = dataset_build.df(
        f"select review_id, compound from fct_review_sentiment "
        f"where product_id = '{GROUNDTRUTH_PRODUCT}'"
    )
    joined = marts.merge(dataset_reviews, on="review_id", validate="one_to_one")
    assert len(joined) == 3708
    r = np.corrcoef(joined["compound"], joined["human_mean"])[0, 1]
    assert r >= 0.58, r


def test_alexa_average_compound_rises_with_stars(dataset_build: DbtRun) -> None:
    by_stars = dataset_build.df(
        f"select rating, avg(compound) as avg_compound, count(compound) as n "
        f"from fct_review_sentiment where product_id = '{ALEXA_PRODUCT}' "
        f"group by rating order by rating"
    )
    assert by_stars["rating"].tolist() == [1, 2, 3, 4, 5]
    assert by_stars["avg_compound"].is_monotonic_increasing
    assert by_stars["avg_compound"].diff().dropna().gt(0).all(), by_stars


def test_null_ratings_are_scored_without_disagreement(dataset_build: DbtRun) -> None:
    rows = dataset_build.df(
        f"select * from fct_review_sentiment where product_id = '{GROUNDTRUTH_PRODUCT}'"
    )
    assert rows["rating"].isna().all()
    assert rows["compound"].notna().all()
    assert rows["is_rating_disagreement"].isna().all()


def test_aggregates_equal_pandas(dataset_build: DbtRun) -> None:
    reviews = dataset_build.df("fct_review_sentiment")
    reviews["scored"] = reviews["compound"].notna()
    reviews["is_positive"] = reviews["sentiment_label"] == "positive"
    reviews["is_neutral"] = reviews["sentiment_label"] == "neutral"
    reviews["is_negative"] = reviews["sentiment_label"] == "negative"
    disagree = reviews["is_rating_disagreement"]
    expected_disagreement = ((reviews["rating"] >= 4) & reviews["is_negative"]) | (
        (reviews["rating"] <= 2) & reviews["is_positive"]
    )
    compared = reviews["rating"].notna() & reviews["scored"]
    assert (disagree[compared].astype(bool) == expected_disagreement[compared]).all()
    assert disagree[~compared].isna().all()

    products = dataset_build.df("fct_product_sentiment").set_index("product_id")
    for product_id, group in reviews.groupby("product_id"):
        row = products.loc[product_id]
        scored = group[group["scored"]]
        with_both = group[group["rating"].notna() & group["scored"]]
        assert row["review_count"] == len(group)
        assert row["scored_review_count"] == len(scored)
        assert row["rated_review_count"] == group["rating"].notna().sum()
        assert row["avg_compound"] == pytest.approx(scored["compound"].mean(), abs=1e-12)
        for label in ["positive", "neutral", "negative"]:
            assert row[f"share_{label}"] == pytest.approx(scored[f"is_{label}"].mean(), abs=1e-12)
        assert row["compared_review_count"] == len(with_both)
        disagreements = with_both["is_rating_disagreement"].astype(bool)
        assert row["rating_disagreement_count"] == disagreements.sum()
        if len(with_both):
            assert row["share_rating_disagreement"] == pytest.approx(disagreements.mean())
            assert row["avg_rating"] == pytest.approx(group["rating"].mean())
        else:
            assert pd.isna(row["share_rating_disagreement"]) and pd.isna(row["avg_rating"])
    assert set(products.index) == {GROUNDTRUTH_PRODUCT, ALEXA_PRODUCT}
    alexa = products.loc[ALEXA_PRODUCT]
    assert 0 < alexa["share_rating_disagreement"] < 0.2

    customers = dataset_build.df("int_customers_sentiment_aggregated").set_index("customer_id")
    assert len(customers) == reviews["customer_id"].nunique() == 100
    for customer_id, group in reviews.groupby("customer_id"):
        row = customers.loc[customer_id]
        scored = group[group["scored"]]
        assert row["review_count"] == len(group)
        assert row["scored_review_count"] == len(scored)
        assert row["avg_compound"] == pytest.approx(scored["compound"].mean(), abs=1e-12)
        assert row["share_positive"] == pytest.approx(scored["is_positive"].mean(), abs=1e-12)
        assert row["share_negative"] == pytest.approx(scored["is_negative"].mean(), abs=1e-12)
        last = group["review_date"].max()
        assert (pd.isna(row["last_review_date"]) and pd.isna(last)) or row[
            "last_review_date"
        ] == last


def test_incremental_rebuild_equals_full_refresh(
    dataset_build: DbtRun,
    dataset_reviews: pd.DataFrame,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    work = tmp_path_factory.mktemp("sentiment_incremental")
    shutil.copy(dataset_build.db_path, work / "crm.duckdb")
    reviews = dataset_reviews[REVIEW_COLUMNS].set_index("review_id")
    original_texts = reviews["review_text"].copy()
    # Alexa reviews whose text is theirs alone, so that its hash leaves the cache with them.
    alexa = reviews[reviews["product_id"] == ALEXA_PRODUCT]["review_text"]
    counts = reviews["review_text"].value_counts()
    with_words = alexa.map(lambda text: text is not None and bool(text.split()))
    own_text = alexa.index[alexa.map(counts).eq(1) & with_words].tolist()
    changed, deleted = own_text[0:5], own_text[5:10]
    rating_only, kept_tampered, rules_tampered = own_text[10], own_text[11], own_text[12]

    reviews.loc[changed, "review_text"] += " Update: it broke after a week, awful."
    new_rating = "1" if reviews.loc[rating_only, "rating"] != "1" else "5"
    reviews.loc[rating_only, "rating"] = new_rating
    added = pd.DataFrame(
        {
            "customer_id": "c_new",
            "product_id": "p_new",
            "review_date": "2019-06-01",
            "rating": ["5", "4", "1", None, "3"],
            "review_text": [
                "Brand new and wonderful!",
                "Solid, does what it says.",
                "Terrible, returned it.",
                "No stars given but I love it",
                original_texts[kept_tampered],  # a text already cached: not scored again
            ],
        },
        index=pd.Index([f"new_{i}" for i in range(5)], name="review_id"),
    )
    reviews = pd.concat([reviews.drop(index=deleted), added])
    write_reviews(work / "data", reviews.reset_index())

    # Tamper with two cached rows: one under the current rules must survive the incremental run
    # (proof that it is not scored again), one under other rules must be scored again.
    tampered_hash = text_hash(original_texts[kept_tampered])
    rules_hash = text_hash(original_texts[rules_tampered])
    with duckdb.connect(str(work / "crm.duckdb")) as con:
        con.execute(
            "update int_review_texts_scored set compound = 0.123456 where text_hash = ?",
            [tampered_hash],
        )
        con.execute(
            "update int_review_texts_scored set compound = 0.654321, scoring_rules = 'old' "
            "where text_hash = ?",
            [rules_hash],
        )

    data_vars = {"data_dir": str(work / "data")}
    incremental = run_dbt(["build", *SENTIMENT_MODELS], work, data_vars).check()
    assert "incremental model main.int_review_texts_scored" in incremental.output
    cache = incremental.df("int_review_texts_scored").set_index("text_hash")
    marts = incremental.df("fct_review_sentiment").set_index("review_id")
    tampered_reviews = [kept_tampered, "new_4"]
    assert cache.loc[tampered_hash, "compound"] == 0.123456
    assert (marts.loc[tampered_reviews, "compound"] == 0.123456).all()
    assert cache.loc[rules_hash, "compound"] == direct_scores(original_texts[rules_tampered])[0]
    replaced = {text_hash(original_texts[i]) for i in changed + deleted}
    assert not replaced & set(cache.index), "deleted and replaced texts left the cache"
    assert not set(deleted) & set(marts.index)
    assert marts.loc[rating_only, "rating"] == int(new_rating)
    current = reviews["review_text"].drop(index=tampered_reviews).to_dict()
    assert_scores_equal_direct_calls(marts.drop(index=tampered_reviews).reset_index(), current)

    full = run_dbt(["run", "--full-refresh", *SENTIMENT_MODELS], work, data_vars).check()
    full_cache = full.df("int_review_texts_scored").set_index("text_hash")
    full_marts = full.df("fct_review_sentiment").set_index("review_id")
    # The same rows, with the same values everywhere but where the test tampered.
    assert full_cache.index.tolist() == sorted(full_cache.index)
    assert full_marts.index.tolist() == sorted(full_marts.index)
    assert set(full_cache.index) == set(cache.index)
    assert (
        full_cache.loc[tampered_hash, "compound"] == direct_scores(original_texts[kept_tampered])[0]
    )
    pd.testing.assert_frame_equal(
        full_cache.drop(index=tampered_hash).sort_index(),
        cache.drop(index=tampered_hash).sort_index(),
    )
    pd.testing.assert_frame_equal(
        full_marts.drop(index=tampered_reviews), marts.drop(index=tampered_reviews)
    )
