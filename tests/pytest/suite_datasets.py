"""The datasets the suite builds whole: real public data and generated variants.

Each dataset is converted to the input contract by its converter in scripts/onboarding/ (the
same command a user runs), written into the build's data folder, and built with `dbt build`
and the default vars (the vars its converter names, for one of them: _DATASET_VARS). Generated
variants are derived from one generated dataset, so that they cover what real exports lack in
turn: no reviews, no products, no customers; the flat and the normalized layout; CSV and
Parquet.

Unit tests run once, in the sample build (harness.UNIT_TESTS_RUN_ELSEWHERE): a unit test
reads its fixtures, never the data, and takes the column types of its inputs from the built
models, which test_real_data asserts are the same in every build. Run in every build they
repeated the same 39 outcomes, a third of each build's node time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from harness import SHARED_DATASETS, file_lock

#: The generated dataset of the suite: customers and seed, fixed before looking at results.
GENERATED_CUSTOMERS = 3000
GENERATED_SEED = 11


@dataclass(frozen=True)
class Dataset:
    """A dataset of the suite: how to write its input files, and what it lacks."""

    name: str
    #: prepare(data_dir, session_dir) writes the input files, returns the dbt vars.
    prepare: Callable[[Path, Path], dict[str, Any]]
    #: Its file in ../shared/datasets (the tests skip without it); None when generated.
    source: str | None
    description: str


def generated_files(session_dir: Path) -> Path:
    """The generated dataset (normalized, CSV, messy, every file), made once per session."""
    from crm_mining.datagen import generate

    out = session_dir / "generated_data"
    with file_lock(session_dir / "generated_data.lock"):
        if not (out / "truth" / "manifest.json").exists():
            generate(out, customers=GENERATED_CUSTOMERS, seed=GENERATED_SEED, fmt="csv")
    return out


def _read(path: Path) -> str:
    return f"read_csv('{path}', header = true, all_varchar = true)"


def _flat_parquet_orders_only(data_dir: Path, session_dir: Path) -> dict[str, Any]:
    """The generated orders as one transactions.parquet (product names and categories on the
    lines), and no customers, products or reviews file."""
    source = generated_files(session_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select
                    items.order_id, orders.customer_id, orders.order_date, items.product_id,
                    items.quantity, items.unit_price, products.product_name, products.category
                from (
                    select *, row_number() over () as line_position
                    from {_read(source / "order_items.csv")}
                ) as items
                left join {_read(source / "orders.csv")} as orders using (order_id)
                left join {_read(source / "products.csv")} as products using (product_id)
                order by items.line_position
            ) to '{data_dir / "transactions.parquet"}' (format parquet)
            """
        )
    return {"data_dir": str(data_dir)}


def _normalized_parquet_without_products_and_reviews(
    data_dir: Path, session_dir: Path
) -> dict[str, Any]:
    """The generated orders, lines and customers as Parquet; no products or reviews file."""
    source = generated_files(session_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for name in ("orders", "order_items", "customers"):
            con.execute(
                f"copy (select * from {_read(source / f'{name}.csv')}) "
                f"to '{data_dir / f'{name}.parquet'}' (format parquet)"
            )
    return {"data_dir": str(data_dir)}


def _converted(
    module: str, source: str | None, vars_of_module: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[Path, Path], dict[str, Any]]:
    """prepare() of a real dataset: its onboarding converter, on its file; vars_of_module(the
    converter's module) gives the vars its data is built with beside data_dir."""

    def prepare(data_dir: Path, session_dir: Path) -> dict[str, Any]:
        import importlib

        converter = importlib.import_module(f"scripts.onboarding.{module}")
        if source is None:
            converter.convert(data_dir)
        else:
            converter.convert(SHARED_DATASETS / source, data_dir)
        return {"data_dir": str(data_dir), **(vars_of_module(converter) if vars_of_module else {})}

    return prepare


#: Datasets built with vars beside data_dir. The first 10k Online Retail lines are built as its
#: onboarding command says, its postage and fees named (non_product_ids); the random 20k
#: sample keeps the defaults, so that Online Retail is built both ways.
_DATASET_VARS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "online_retail_first10k": lambda converter: {
        "non_product_ids": list(converter.NON_PRODUCT_IDS)
    },
}


_REAL = [
    (
        "online_retail_random20k",
        "online_retail",
        "online_retail/online_retail_random20k.csv",
        "UCI Online Retail, random 20k lines: flat, cancellations, guests, zero prices",
    ),
    (
        "online_retail_first10k",
        "online_retail",
        "online_retail/online_retail_first10k_clean.csv",
        "UCI Online Retail, first 10k cleaned lines: 6 days only",
    ),
    (
        "kaggle_groceries",
        "kaggle_groceries",
        "groceries_kaggle/Groceries_dataset.csv",
        "Kaggle Groceries: members and dated baskets, no prices",
    ),
    (
        "arules_groceries",
        "arules_groceries",
        "groceries_arules/groceries.csv",
        "arules Groceries: baskets only (guests, no dates, no prices)",
    ),
    (
        "bakery",
        "bakery",
        "bakery_breadbasket/BreadBasket_DMS.csv",
        "bakery baskets without customers",
    ),
    (
        "amazon_alexa",
        "amazon_alexa",
        "amazon_alexa/amazon_alexa.tsv",
        "Amazon Alexa reviews with the orders they imply",
    ),
    (
        "vader_amazon",
        "vader_groundtruth",
        "vader_groundtruth/amazonReviewSnippets_GroundTruth.txt",
        "VADER's human-rated Amazon snippets as reviews",
    ),
    ("cdnow", "cdnow", None, "CDNOW purchase log (lifetimes wheel): orders only, normalized"),
]

DATASETS: dict[str, Dataset] = {
    name: Dataset(name, _converted(module, source, _DATASET_VARS.get(name)), source, description)
    for name, module, source, description in _REAL
}
DATASETS["generated_flat_parquet_orders_only"] = Dataset(
    "generated_flat_parquet_orders_only",
    _flat_parquet_orders_only,
    None,
    "generated orders as one flat Parquet file: no customers, products or reviews",
)
DATASETS["generated_normalized_parquet_no_products_no_reviews"] = Dataset(
    "generated_normalized_parquet_no_products_no_reviews",
    _normalized_parquet_without_products_and_reviews,
    None,
    "generated orders, lines and customers as Parquet: no products or reviews",
)

REAL_DATASETS = [name for name, *_ in _REAL]
GENERATED_VARIANTS = [name for name in DATASETS if name.startswith("generated_")]
