"""generate(): chunked simulation streamed to CSV or Parquet, planted truth and manifest."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from crm_mining.datagen import formatting as fmt
from crm_mining.datagen import params
from crm_mining.datagen.catalog import Catalog, build_catalog
from crm_mining.datagen.simulate import ChunkSpec, Window, simulate_chunk

Format = Literal["csv", "parquet"]

#: Columns of every data file (all text).
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id", "customer_id", "order_date"),
    "order_items": ("order_id", "product_id", "quantity", "unit_price"),
    "customers": ("customer_id", "signup_date", "country"),
    "products": ("product_id", "product_name", "category", "list_price"),
    "reviews": ("review_id", "customer_id", "product_id", "review_date", "rating", "review_text"),
}
#: Columns of every truth file (all text).
TRUTH_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_archetypes": ("customer_id", "archetype"),
    "customer_churn": ("customer_id", "archetype", "churned_at"),
    "bundles": ("bundle_id", "product_id"),
    "follow_ups": ("follow_up_id", "first_product_id", "later_product_id"),
    "reviews_truth": ("review_id", "intended_sentiment", "text_kind"),
    "planted_invalid_rows": ("file", "natural_key", "kind", "column"),
}
#: CSV files whose values may hold commas, quotes or line breaks: every text value quoted.
#: The others never do and are written without quotes (smaller, same content).
_QUOTED_CSV = {"products", "reviews"}
REVIEW_FILES = {"reviews", "reviews_truth"}
DEFAULT_START = date(2023, 1, 1)
DEFAULT_END = date(2024, 12, 31)


@dataclass
class GenerationSummary:
    """What a generate() call wrote."""

    out_dir: Path
    truth_dir: Path
    fmt: Format
    #: Path of every file written, by entity name (data and truth, without the manifest).
    files: dict[str, Path]
    #: Rows written per entity name.
    rows: dict[str, int]
    #: The manifest's counts (orders, lines, duplicates, invalid rows per kind ...).
    counts: dict[str, int]
    chunks: int
    seconds: float
    manifest: dict[str, Any] = field(repr=False, default_factory=dict)

    def line(self) -> str:
        """One-line summary: rows per data file and seconds."""
        parts = [f"{name}={self.rows[name]:,}" for name in DATA_COLUMNS if name in self.rows]
        return (
            f"datagen: {' '.join(parts)} ({self.chunks} chunks, {self.fmt}) "
            f"in {self.seconds:.1f} s -> {self.out_dir}"
        )


def customers_for_lines(n_lines: int) -> int:
    """Customers to request for about n_lines order_items lines (default window, messy)."""
    return max(1, math.ceil(n_lines / params.LINES_PER_CUSTOMER))


class _Sink:
    """One output file written chunk by chunk (CSVWriter or ParquetWriter)."""

    def __init__(self, path: Path, columns: tuple[str, ...], fmt_: Format, quoted: bool) -> None:
        self.path = path
        self.schema = pa.schema([(c, pa.string()) for c in columns])
        self.rows = 0
        self._writer: pa_csv.CSVWriter | pq.ParquetWriter
        if fmt_ == "csv":
            options = pa_csv.WriteOptions(quoting_style="needed" if quoted else "none")
            self._writer = pa_csv.CSVWriter(str(path), self.schema, write_options=options)
        else:
            self._writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        """Append a table with this file's columns."""
        table = table.select(self.schema.names).cast(self.schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _catalog_tables(catalog: Catalog) -> dict[str, pa.Table]:
    products = fmt.table(
        {
            "product_id": fmt.strings(list(catalog.product_ids)),
            "product_name": fmt.strings(list(catalog.names)),
            "category": fmt.strings([params.CATEGORIES[c] for c in catalog.category.tolist()]),
            "list_price": fmt.cents(catalog.list_price_cents),
        }
    )
    bundle_ids: list[str | None] = []
    product_ids: list[str | None] = []
    for bundle, indices in zip(params.BUNDLES, catalog.bundle_products, strict=True):
        for i in indices:
            bundle_ids.append(bundle.bundle_id)
            product_ids.append(catalog.product_ids[i])
    bundles = fmt.table(
        {"bundle_id": fmt.strings(bundle_ids), "product_id": fmt.strings(product_ids)}
    )
    follow_ups = fmt.table(
        {
            "follow_up_id": fmt.strings([f.follow_up_id for f in params.FOLLOW_UPS]),
            "first_product_id": fmt.strings(
                [catalog.product_ids[first] for first, _ in catalog.follow_up_products]
            ),
            "later_product_id": fmt.strings(
                [catalog.product_ids[later] for _, later in catalog.follow_up_products]
            ),
        }
    )
    return {"products": products, "bundles": bundles, "follow_ups": follow_ups}


def _rates() -> dict[str, Any]:
    return {
        "guest_order_rate": params.GUEST_ORDER_RATE,
        "return_rate_per_purchase_line": {a.name: a.return_rate for a in params.ARCHETYPES},
        "duplicate_line_rate": params.DUPLICATE_LINE_RATE,
        "invalid_line_rate": params.INVALID_LINE_RATE,
        "invalid_order_rate": params.INVALID_ORDER_RATE,
        "never_ordered_rate": params.NEVER_ORDERED_RATE,
        "reviewer_rate": params.REVIEWER_RATE,
        "review_product_prob": params.REVIEW_PRODUCT_PROB,
        "null_rating_rate": params.NULL_RATING_RATE,
        "text_kind_rates": dict(params.TEXT_KIND_RATES),
        "min_long_texts": params.MIN_LONG_TEXTS,
        "bundle_partner_prob": params.BUNDLE_PARTNER_PROB,
        "bundle_later_prob": params.BUNDLE_LATER_PROB,
        "bundle_head_share": {b.bundle_id: b.head_share for b in params.BUNDLES},
        "follow_up_rate": params.FOLLOW_UP_RATE,
        "follow_up_prob": params.FOLLOW_UP_PROB,
    }


def generate(
    out_dir: str | Path,
    customers: int,
    seed: int,
    fmt: Format = "csv",
    *,
    truth_dir: str | Path | None = None,
    start: date | str = DEFAULT_START,
    end: date | str = DEFAULT_END,
    messy: bool = True,
    reviews: bool = True,
    chunk_size: int = params.DEFAULT_CHUNK_SIZE,
    file_prefix: str = "",
    verbose: bool = False,
) -> GenerationSummary:
    """Generate `customers` customers into out_dir (and the planted truth into truth_dir).

    Same arguments give byte-identical files. Files are `<file_prefix><entity>.<fmt>`; the truth
    files keep their plain names and format, plus `manifest.json`. Files of the same entities
    in the other format (or reviews, with reviews=False) are removed, so that a directory never
    holds two versions of an input.
    """
    started = time.perf_counter()
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if not 1 <= customers < 10**8:
        raise ValueError("customers must be from 1 to 99,999,999 (8-digit customer ids)")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    window = Window(_as_date(start), _as_date(end))
    if window.days < 30:
        raise ValueError(f"the window {window.start}..{window.end} must span at least 30 days")
    out = Path(out_dir)
    truth = Path(truth_dir) if truth_dir is not None else out / "truth"
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    other = "parquet" if fmt == "csv" else "csv"
    for name in DATA_COLUMNS:
        (out / f"{file_prefix}{name}.{other}").unlink(missing_ok=True)
        if not reviews and name in REVIEW_FILES:
            (out / f"{file_prefix}{name}.{fmt}").unlink(missing_ok=True)
    for name in TRUTH_COLUMNS:
        (truth / f"{name}.{other}").unlink(missing_ok=True)
        if not reviews and name in REVIEW_FILES:
            (truth / f"{name}.{fmt}").unlink(missing_ok=True)

    sinks: dict[str, _Sink] = {}
    for name, columns in {**DATA_COLUMNS, **TRUTH_COLUMNS}.items():
        if not reviews and name in REVIEW_FILES:
            continue
        folder, stem = (out, file_prefix + name) if name in DATA_COLUMNS else (truth, name)
        sinks[name] = _Sink(folder / f"{stem}.{fmt}", columns, fmt, name in _QUOTED_CSV)

    catalog = build_catalog(seed)
    counts: Counter[str] = Counter()
    n_chunks = math.ceil(customers / chunk_size)
    try:
        for name, table in _catalog_tables(catalog).items():
            sinks[name].write(table)
        order_base, review_base = 1, 1
        for index in range(n_chunks):
            first = index * chunk_size
            spec = ChunkSpec(
                index=index,
                first_customer=first + 1,
                n_customers=min(chunk_size, customers - first),
                order_base=order_base,
                review_base=review_base,
            )
            result = simulate_chunk(seed, spec, window, catalog, messy, reviews)
            for name, table in result.tables.items():
                sinks[name].write(table)
            counts.update(result.counts)
            order_base += result.n_orders
            review_base += result.n_reviews
            if max(order_base, review_base) > 10**9:
                raise ValueError("more than 999,999,999 orders or reviews (9-digit ids)")
            if verbose:
                print(f"datagen: chunk {index + 1}/{n_chunks}", flush=True)
    finally:
        for sink in sinks.values():
            sink.close()

    rows = {name: sink.rows for name, sink in sinks.items()}
    invalid_kinds = [k for k, _ in params.INVALID_LINE_KINDS + params.INVALID_ORDER_KINDS]
    invalid_kinds.append(params.ORDER_REJECTED_KIND[0])
    manifest: dict[str, Any] = {
        "generator": "crm_mining.datagen",
        "generator_version": params.GENERATOR_VERSION,
        "parameters": {
            "customers": customers,
            "seed": seed,
            "format": fmt,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "messy": messy,
            "reviews": reviews,
            "chunk_size": chunk_size,
            "file_prefix": file_prefix,
        },
        "files": {
            name: {"path": sink.path.name, "rows": sink.rows, "truth": name in TRUTH_COLUMNS}
            for name, sink in sinks.items()
        },
        "archetype_shares": {a.name: a.share for a in params.ARCHETYPES},
        "customers_per_archetype": {
            a.name: counts[f"archetype.{a.name}"] for a in params.ARCHETYPES
        },
        "counts": {
            key: counts[key]
            for key in (
                "customers",
                "ordering_customers",
                "never_ordered_customers",
                "churned_customers",
                "orders",
                "purchase_orders",
                "return_orders",
                "guest_orders",
                "order_items",
                "purchase_lines",
                "follow_up_lines",
                "return_lines",
                "guest_lines",
                "exact_duplicate_lines",
                "invalid_orders",
                "invalid_rows",
                "reviews",
                "reviewers",
                "null_ratings",
            )
        },
        "invalid_rows_per_kind": {kind: counts[f"invalid.{kind}"] for kind in invalid_kinds},
        "review_text_kinds": {
            kind: counts[f"text_kind.{kind}"] for kind in ("normal", *params.TEXT_KIND_RATES)
        },
        "lines_per_customer": round(rows["order_items"] / customers, 3),
        "rates": _rates(),
        "bundles": {
            b.bundle_id: [catalog.product_ids[i] for i in idx]
            for b, idx in zip(params.BUNDLES, catalog.bundle_products, strict=True)
        },
        "follow_ups": {
            f.follow_up_id: [catalog.product_ids[i] for i in pair]
            for f, pair in zip(params.FOLLOW_UPS, catalog.follow_up_products, strict=True)
        },
    }
    (truth / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return GenerationSummary(
        out_dir=out,
        truth_dir=truth,
        fmt=fmt,
        files={name: sink.path for name, sink in sinks.items()},
        rows=rows,
        counts={k: int(v) for k, v in counts.items()},
        chunks=n_chunks,
        seconds=time.perf_counter() - started,
        manifest=manifest,
    )


def write_sample_seeds(
    seeds_dir: str | Path, truth_dir: str | Path | None = None
) -> GenerationSummary:
    """The bundled sample as dbt seeds `sample_<entity>.csv`; its truth goes elsewhere.

    truth_dir defaults to `<parent of seeds_dir>/tests/fixtures/sample_truth` (dbt would load any
    CSV in seeds/ as a seed). Raises when the five seed files exceed SAMPLE_MAX_BYTES.
    """
    seeds = Path(seeds_dir)
    truth = Path(truth_dir) if truth_dir else seeds.resolve().parent / "tests/fixtures/sample_truth"
    summary = generate(
        seeds,
        params.SAMPLE_CUSTOMERS,
        params.SAMPLE_SEED,
        "csv",
        truth_dir=truth,
        messy=True,
        reviews=True,
        file_prefix="sample_",
    )
    total = sum(summary.files[name].stat().st_size for name in DATA_COLUMNS)
    if total > params.SAMPLE_MAX_BYTES:
        raise RuntimeError(f"sample seeds take {total:,} bytes (> {params.SAMPLE_MAX_BYTES:,})")
    return summary
