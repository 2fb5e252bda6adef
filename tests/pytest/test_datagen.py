"""The data generator: determinism, layout, planted rates and truth, bounded memory.

Small datasets only (a few thousand customers, well under a second each); no timings asserted.
"""

from __future__ import annotations

import filecmp
import html
import itertools
import json
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from harness import PROJECT_DIR

from crm_mining.datagen import (
    DATA_COLUMNS,
    TRUTH_COLUMNS,
    GenerationSummary,
    customers_for_lines,
    generate,
    params,
    write_sample_seeds,
)

CUSTOMERS = 2500
SEED = 7


def read_table(path: Path) -> pa.Table:
    """A generated file as an Arrow table of strings (CSV: unquoted empty = null, "" = "").

    Only the empty field is null: text values such as `null` (a text_kind) stay text.
    """
    if path.suffix == ".parquet":
        return pq.read_table(path)
    with path.open("rb") as f:
        header = f.readline().decode().strip()
    names = [c.strip('"') for c in header.split(",")]
    convert = pa_csv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return pa_csv.read_csv(path, convert_options=convert)


def frame(path: Path) -> pd.DataFrame:
    """A generated file as pandas (object columns, None for nulls)."""
    table = read_table(path)
    return pd.DataFrame({name: table.column(name).to_pylist() for name in table.column_names})


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("csv"), CUSTOMERS, SEED, "csv")


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("parquet"), CUSTOMERS, SEED, "parquet")


@pytest.fixture(scope="module")
def data(csv_run: GenerationSummary) -> dict[str, pd.DataFrame]:
    return {name: frame(path) for name, path in csv_run.files.items()}


@pytest.fixture(scope="module")
def lines(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Valid, de-duplicated order lines with their order, customer, category and archetype."""
    orders = data["orders"].assign(ts=lambda d: pd.to_datetime(d.order_date, errors="coerce"))
    items = data["order_items"].drop_duplicates()
    items = items.assign(
        q=pd.to_numeric(items.quantity, errors="coerce"),
        price=pd.to_numeric(items.unit_price, errors="coerce"),
    )
    items = items[(items.q.fillna(0) != 0) & (items.price > 0)]
    out = items.merge(orders.dropna(subset=["ts"]), on="order_id").merge(
        data["products"][["product_id", "category"]], on="product_id"
    )
    out = out.merge(data["customer_archetypes"], on="customer_id", how="left")
    return out.assign(amount=out.q * out.price)


def all_files(summary: GenerationSummary) -> list[Path]:
    return [*summary.files.values(), summary.truth_dir / "manifest.json"]


# Determinism -------------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(csv_run: GenerationSummary, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", CUSTOMERS, SEED, "csv")
    for first, second in zip(all_files(csv_run), all_files(again), strict=True):
        assert first.name == second.name
        assert filecmp.cmp(first, second, shallow=False), first.name


def test_parquet_is_deterministic_too(parquet_run: GenerationSummary, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", CUSTOMERS, SEED, "parquet")
    for first, second in zip(all_files(parquet_run), all_files(again), strict=True):
        assert filecmp.cmp(first, second, shallow=False), first.name


def test_another_seed_gives_other_data(csv_run: GenerationSummary, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", CUSTOMERS, SEED + 1, "csv")
    for name in ("orders", "order_items", "customers", "reviews", "products"):
        assert csv_run.files[name].read_bytes() != other.files[name].read_bytes(), name


# Layout ---------------------------------------------------------------------------------------


def test_files_and_columns(csv_run: GenerationSummary, parquet_run: GenerationSummary) -> None:
    for run in (csv_run, parquet_run):
        for name, columns in {**DATA_COLUMNS, **TRUTH_COLUMNS}.items():
            path = run.files[name]
            folder = run.out_dir if name in DATA_COLUMNS else run.truth_dir
            assert path == folder / f"{name}.{run.fmt}"
            table = read_table(path)
            assert table.column_names == list(columns), name
            assert all(t == pa.string() for t in table.schema.types), name
        assert (run.truth_dir / "manifest.json").exists()


def test_parquet_columns_are_text(parquet_run: GenerationSummary) -> None:
    for name in DATA_COLUMNS:
        schema = pq.read_schema(parquet_run.files[name])
        assert all(t == pa.string() for t in schema.types), name


def test_id_and_value_formats(data: dict[str, pd.DataFrame]) -> None:
    def matches(values: pd.Series, pattern: str) -> bool:
        return bool(values.dropna().str.fullmatch(pattern).all())

    orders, items, customers = data["orders"], data["order_items"], data["customers"]
    assert matches(orders.order_id, r"O\d{9}") and orders.order_id.is_unique
    assert matches(orders.customer_id, r"\d{8}")
    assert matches(customers.customer_id, r"\d{8}") and customers.customer_id.is_unique
    assert customers.customer_id.str.startswith("0").all()  # leading zeros kept
    assert matches(items.order_id, r"O\d{9}")
    assert matches(items.product_id, r"P\d{5}")
    assert matches(data["products"].product_id, r"P\d{5}")
    assert matches(data["reviews"].review_id, r"R\d{9}")
    assert matches(customers.signup_date, r"\d{4}-\d{2}-\d{2}")
    assert matches(customers.country, r"[A-Z]{2}")
    good_dates = orders.order_date.dropna()
    good_dates = good_dates[~good_dates.str.contains("-02-30")]
    assert matches(good_dates, r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
    prices = items.unit_price.dropna()
    assert prices.str.fullmatch(r"-?\d+\.\d{2}|0").all()
    assert matches(data["products"].list_price, r"\d+\.\d{2}")
    assert matches(data["reviews"].rating, r"[1-5]")
    assert data["products"].category.isin(params.CATEGORIES).all()
    assert len(data["products"]) == sum(params.PRODUCTS_PER_CATEGORY) + 2 * len(params.FOLLOW_UPS)


def test_csv_and_parquet_have_the_same_content(
    csv_run: GenerationSummary, parquet_run: GenerationSummary
) -> None:
    for name in csv_run.files:
        assert read_table(csv_run.files[name]).equals(read_table(parquet_run.files[name])), name


def test_every_ordering_customer_is_in_customers(data: dict[str, pd.DataFrame]) -> None:
    registered = set(data["customers"].customer_id)
    assert set(data["orders"].customer_id.dropna()) <= registered
    assert set(data["reviews"].customer_id) <= registered
    assert set(data["customer_archetypes"].customer_id) == set(data["orders"].customer_id.dropna())


# Planted rates and the manifest -------------------------------------------------------------


def test_manifest_counts_match_the_files(
    csv_run: GenerationSummary, data: dict[str, pd.DataFrame]
) -> None:
    manifest = json.loads((csv_run.truth_dir / "manifest.json").read_text())
    assert manifest["generator_version"] == params.GENERATOR_VERSION
    assert manifest["parameters"]["customers"] == CUSTOMERS
    assert manifest["parameters"]["seed"] == SEED
    for name, df in data.items():
        assert manifest["files"][name]["rows"] == len(df), name
    counts = manifest["counts"]
    items, orders = data["order_items"], data["orders"]
    assert counts["exact_duplicate_lines"] == int(items.duplicated().sum())
    assert counts["guest_orders"] == int(orders.customer_id.isna().sum())
    quantity = pd.to_numeric(items.drop_duplicates().quantity, errors="coerce")
    assert counts["return_lines"] == int((quantity < 0).sum())
    invalid = data["planted_invalid_rows"]
    assert manifest["invalid_rows_per_kind"] == {
        kind: int((invalid.kind == kind).sum()) for kind in manifest["invalid_rows_per_kind"]
    }
    assert counts["invalid_rows"] == len(invalid)
    assert counts["customers"] == len(data["customers"]) == CUSTOMERS
    assert counts["reviews"] == len(data["reviews"])
    assert counts["churned_customers"] == int(data["customer_churn"].churned_at.notna().sum())
    assert (
        manifest["review_text_kinds"]
        == data["reviews_truth"]
        .text_kind.value_counts()
        .reindex(list(manifest["review_text_kinds"]), fill_value=0)
        .to_dict()
    )


def test_planted_rates_are_near_their_documented_values(csv_run: GenerationSummary) -> None:
    c = csv_run.counts
    assert c["guest_orders"] / c["orders"] == pytest.approx(params.GUEST_ORDER_RATE, abs=0.008)
    assert c["return_lines"] / c["purchase_lines"] == pytest.approx(0.02, abs=0.006)
    assert c["exact_duplicate_lines"] / c["order_items"] == pytest.approx(
        params.DUPLICATE_LINE_RATE, abs=0.0015
    )
    invalid_lines = c["invalid_rows"] - c["invalid_orders"]
    assert invalid_lines / c["order_items"] == pytest.approx(0.003, abs=0.0012)
    assert c["never_ordered_customers"] / c["customers"] == pytest.approx(0.05, abs=0.015)
    assert c["reviewers"] / c["ordering_customers"] == pytest.approx(0.25, abs=0.04)
    assert c["null_ratings"] / c["reviews"] == pytest.approx(0.02, abs=0.012)
    assert c["text_kind.long"] >= params.MIN_LONG_TEXTS
    for kind, rate in params.TEXT_KIND_RATES.items():
        if kind != "long":
            assert c[f"text_kind.{kind}"] / c["reviews"] == pytest.approx(rate, abs=0.012), kind
    for kind, _ in params.INVALID_LINE_KINDS + params.INVALID_ORDER_KINDS:
        assert c[f"invalid.{kind}"] > 0, kind


def test_lines_per_customer_helper(csv_run: GenerationSummary) -> None:
    per_customer = csv_run.rows["order_items"] / CUSTOMERS
    assert per_customer == pytest.approx(params.LINES_PER_CUSTOMER, rel=0.1)
    assert customers_for_lines(10_000_000) == pytest.approx(10_000_000 / per_customer, rel=0.1)
    assert 300_000 <= customers_for_lines(10_000_000) <= 400_000


def test_every_planted_invalid_row_is_in_the_files(data: dict[str, pd.DataFrame]) -> None:
    invalid = data["planted_invalid_rows"]
    orders = data["orders"].set_index("order_id")
    items = data["order_items"]
    items_by_key = items.set_index("order_id=" + items.order_id + "|product_id=" + items.product_id)
    for row in invalid.itertuples():
        if row.file == "orders":
            value = orders.loc[row.natural_key.removeprefix("order_id="), "order_date"]
            assert row.column == "order_date"
            if row.kind == "order_date_missing":
                assert pd.isna(value)
            else:
                assert pd.isna(pd.to_datetime(value, errors="coerce")), value
            continue
        line = items_by_key.loc[row.natural_key]
        assert isinstance(line, pd.Series), row.natural_key  # neither missing nor duplicated
        value = line[row.column]
        expected = {
            "quantity_not_a_number": lambda v: v == "three",
            "quantity_zero": lambda v: v == "0",
            "unit_price_missing": pd.isna,
            "unit_price_zero": lambda v: v == "0",
            "unit_price_negative": lambda v: v.startswith("-") and float(v) < 0,
            "unknown_product": lambda v: v == params.UNKNOWN_PRODUCT_ID,
            "order_rejected": lambda v: True,
        }[row.kind]
        assert expected(value), (row.kind, value)
        if row.kind == "order_rejected":
            order_id = row.natural_key.split("|")[0].removeprefix("order_id=")
            assert order_id in set(
                invalid[invalid.file == "orders"].natural_key.str.removeprefix("order_id=")
            )


def test_no_unplanted_invalid_rows(data: dict[str, pd.DataFrame]) -> None:
    invalid = data["planted_invalid_rows"]
    items = data["order_items"]
    key = "order_id=" + items.order_id + "|product_id=" + items.product_id
    clean = items[~key.isin(invalid.natural_key)]
    quantity = pd.to_numeric(clean.quantity, errors="raise")
    assert (quantity != 0).all() and (quantity == quantity.round()).all()
    assert (pd.to_numeric(clean.unit_price, errors="raise") > 0).all()
    assert clean.product_id.isin(data["products"].product_id).all()
    orders = data["orders"]
    clean_orders = orders[~("order_id=" + orders.order_id).isin(invalid.natural_key)]
    assert pd.to_datetime(clean_orders.order_date, format="%Y-%m-%d %H:%M:%S").notna().all()


def test_returns_are_negative_lines_of_earlier_purchases(lines: pd.DataFrame) -> None:
    returns = lines[lines.q < 0]
    assert len(returns) > 0
    return_orders = set(returns.order_id)
    assert (lines[lines.order_id.isin(return_orders)].q < 0).all()  # only negative lines
    purchases = lines[lines.q > 0]
    joined = returns.merge(
        purchases, on=["customer_id", "product_id", "unit_price"], suffixes=("", "_p")
    )
    matched = joined[joined.ts_p < joined.ts].drop_duplicates(["order_id", "product_id"])
    assert len(matched) == len(returns)
    assert returns.customer_id.notna().all()


def test_no_messy_has_no_mess(tmp_path: Path) -> None:
    summary = generate(tmp_path, 800, SEED, "csv", messy=False)
    orders = frame(summary.files["orders"])
    items = frame(summary.files["order_items"])
    assert orders.customer_id.notna().all()
    assert not items.duplicated().any()
    assert (pd.to_numeric(items.quantity) > 0).all()
    assert (pd.to_numeric(items.unit_price) > 0).all()
    assert pd.to_datetime(orders.order_date, format="%Y-%m-%d %H:%M:%S").notna().all()
    assert summary.rows["planted_invalid_rows"] == 0


def test_no_reviews_writes_no_review_files(tmp_path: Path) -> None:
    summary = generate(tmp_path, 300, SEED, "parquet", reviews=False)
    assert not (tmp_path / "reviews.parquet").exists()
    assert not (tmp_path / "truth" / "reviews_truth.parquet").exists()
    assert "reviews" not in summary.rows


# Planted structure -----------------------------------------------------------------------------


def test_bundles_are_the_top_lift_pairs(data: dict[str, pd.DataFrame], lines: pd.DataFrame) -> None:
    baskets = lines[lines.q > 0].drop_duplicates(["order_id", "product_id"])
    n_orders = baskets.order_id.nunique()
    count = baskets.product_id.value_counts()
    pairs = baskets[["order_id", "product_id"]].merge(
        baskets[["order_id", "product_id"]], on="order_id"
    )
    pairs = pairs[pairs.product_id_x < pairs.product_id_y]
    pair_count = pairs.groupby(["product_id_x", "product_id_y"]).size()
    pair_count = pair_count[pair_count >= 2]
    x = pair_count.index.get_level_values(0)
    y = pair_count.index.get_level_values(1)
    lift = pair_count * n_orders / (count[x].to_numpy() * count[y].to_numpy())
    planted = set()
    for _, group in data["bundles"].groupby("bundle_id"):
        planted |= {tuple(sorted(p)) for p in itertools.combinations(group.product_id, 2)}
    assert len(planted) == 10  # 2 triples and 4 pairs
    top = lift.sort_values(ascending=False)
    assert set(top.index[: len(planted)]) == planted
    other = top[[pair not in planted for pair in top.index]]
    assert top[list(planted)].min() > 2.5 * other.max()
    assert top[list(planted)].min() > 100


def test_archetypes_differ_as_designed(lines: pd.DataFrame) -> None:
    purchases = lines[(lines.q > 0) & lines.archetype.notna()]
    per_customer = purchases.groupby(["archetype", "customer_id"]).agg(
        orders=("order_id", "nunique"), spend=("amount", "sum")
    )
    per_customer["basket"] = per_customer.spend / per_customer.orders
    means = per_customer.groupby("archetype").mean()
    assert means.loc["one_time_lapsed", "orders"] <= 2
    assert means.loc["occasional_fashion", "orders"] < 8
    assert means.loc["high_value_regular", "orders"] > 12
    assert means.loc["bargain_grocery", "orders"] > 12
    assert means.spend.idxmax() == "high_value_regular"
    assert (
        means.spend.drop("high_value_regular").max() * 5 < means.loc["high_value_regular", "spend"]
    )
    assert means.basket.idxmin() == "bargain_grocery"
    assert means.spend.idxmin() == "one_time_lapsed"
    spend = purchases.groupby(["archetype", "category"]).amount.sum().unstack()
    top_category = spend.idxmax(axis=1).to_dict()
    assert top_category == {
        "high_value_regular": "Electronics",
        "bargain_grocery": "Groceries",
        "occasional_fashion": "Fashion",
        "one_time_lapsed": "Home",
    }
    returned = lines[lines.q < 0].groupby("archetype").size()
    return_rate = returned / purchases.groupby("archetype").size()
    assert return_rate.idxmax() == "occasional_fashion"


def test_churned_customers_never_buy_after_churning(
    data: dict[str, pd.DataFrame], lines: pd.DataFrame
) -> None:
    churn = data["customer_churn"].dropna(subset=["churned_at"])
    last_purchase = lines[lines.q > 0].groupby("customer_id").ts.max()
    churned_at = pd.to_datetime(churn.set_index("customer_id").churned_at)
    assert (last_purchase.reindex(churned_at.index) < churned_at).all()
    lapsed = data["customer_churn"][data["customer_churn"].archetype == "one_time_lapsed"]
    assert lapsed.churned_at.notna().mean() > 0.95


def test_reviews_agree_with_ratings_and_dates(
    data: dict[str, pd.DataFrame], lines: pd.DataFrame
) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    reviews = data["reviews"].merge(data["reviews_truth"], on="review_id")
    rated = reviews.dropna(subset=["rating"]).assign(rating=lambda d: d.rating.astype(int))
    by_sentiment = rated.groupby("intended_sentiment").rating.agg(["min", "max"])
    assert by_sentiment.loc["positive"].tolist() == [4, 5]
    assert by_sentiment.loc["neutral"].tolist() == [3, 3]
    assert by_sentiment.loc["negative"].tolist() == [1, 2]
    assert set(reviews.text_kind) == {"normal", *params.TEXT_KIND_RATES}
    assert (reviews[reviews.text_kind == "blank"].review_text == "").all()
    assert reviews[reviews.text_kind == "null"].review_text.isna().all()
    long_texts = reviews[reviews.text_kind == "long"].review_text.str.len()
    assert long_texts.between(*params.LONG_TEXT_CHARS).all()
    assert reviews[reviews.text_kind == "html"].review_text.str.contains("&").all()

    analyzer = SentimentIntensityAnalyzer()
    english = rated[rated.text_kind.isin(["normal", "html", "emoji"])]
    compound = [analyzer.polarity_scores(html.unescape(t))["compound"] for t in english.review_text]
    assert np.corrcoef(compound, english.rating)[0, 1] > 0.7

    first_purchase = (
        lines[lines.q > 0].groupby(["customer_id", "product_id"]).ts.min().dt.normalize()
    )
    keyed = reviews.set_index(["customer_id", "product_id"])
    review_date = pd.to_datetime(keyed.review_date)
    assert (review_date > first_purchase.reindex(keyed.index)).all()
    assert review_date.max() <= pd.Timestamp("2024-12-31")


# Scale, CLI and the bundled sample -------------------------------------------------------------


def test_memory_is_bounded_by_the_chunk(tmp_path: Path) -> None:
    peaks = []
    for n in (1200, 3600):
        tracemalloc.start()
        summary = generate(tmp_path / str(n), n, SEED, "parquet", chunk_size=600)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert summary.chunks == n // 600
    assert peaks[1] < 1.5 * peaks[0]  # three times the customers, same peak


def test_order_ids_are_unique_across_chunks(tmp_path: Path) -> None:
    summary = generate(tmp_path, 1500, SEED, "csv", chunk_size=400)
    orders = frame(summary.files["orders"])
    reviews = frame(summary.files["reviews"])
    assert summary.chunks == 4
    assert orders.order_id.is_unique and reviews.review_id.is_unique
    assert set(frame(summary.files["order_items"]).order_id) <= set(orders.order_id)


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    args = ["--customers", "300", "--seed", "3", "--format", "csv", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "crm_mining.datagen", *args, "--start", "2024-01-01"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.search(
        r"orders=[\d,]+ order_items=[\d,]+ customers=300 .* in [\d.]+ s", result.stdout
    )
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    assert manifest["parameters"]["start"] == "2024-01-01"
    dates = frame(out / "orders.csv").order_date.dropna()
    assert (dates[~dates.str.contains("-02-30")] >= "2024-01-01").all()


def test_bundled_sample_is_current_and_small(tmp_path: Path) -> None:
    seeds = PROJECT_DIR / "seeds"
    truth = PROJECT_DIR / "tests" / "fixtures" / "sample_truth"
    summary = write_sample_seeds(tmp_path / "seeds", tmp_path / "truth")
    total = 0
    for name in DATA_COLUMNS:
        committed = seeds / f"sample_{name}.csv"
        total += committed.stat().st_size
        assert filecmp.cmp(committed, summary.files[name], shallow=False), name
    assert total < 2_000_000
    for path in (tmp_path / "truth").iterdir():
        assert filecmp.cmp(truth / path.name, path, shallow=False), path.name
    assert not list(seeds.glob("*truth*")) and not (seeds / "manifest.json").exists()
    reviews = frame(seeds / "sample_reviews.csv")
    assert reviews.review_text.str.len().max() <= 20_000
