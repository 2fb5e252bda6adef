"""The foundation: both input layouts, CSV and Parquet, contract errors, rejection rules, the
reconciliation of every input row, the formats real exports come in and the guard on rejected
rows. Builds here run on tiny hand-written inputs; whole builds of real and generated datasets
(missing optional files included) are in test_real_data.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_DIR, UNIT_TESTS_RUN_ELSEWHERE, DbtRun, run_dbt
from oracles.timestamps import ISO_TIMESTAMPS

FOUNDATION = [
    "--indirect-selection",
    "cautious",
    "--select",
    "staging",
    "intermediate.core",
    "intermediate.validation",
    "marts.core",
    "marts.audit",
    # the customer 360 joins every area's marts: not a foundation model (+: nor its tests)
    "--exclude",
    "dim_customers+",
]

ORDERS = [
    ["order_id", "customer_id", "order_date"],
    ["O1", "00042", "2024-01-05 10:00:00"],
    ["O2", "00042", "2024-02-01"],
    ["O3", "", "2024-02-03"],  # guest order
    ["O4", "00007", "2023-02-30"],  # impossible date
    ["O5", "00007", ""],  # missing date
    ["O6", "00009", "2024-03-01"],
    ["O6", "00009", "2024-03-01"],  # exact duplicate
    ["O7", "00010", "2024-03-02"],
    ["O7", "00011", "2024-03-02"],  # same order, another customer
    ["#8", "00042", "2024-02-10"],  # a Shopify order name: DuckDB's sniffer took '#' for a comment
    ["O9", "00042", "infinity"],  # DuckDB casts the word to a timestamp
]
ORDER_ITEMS = [
    ["order_id", "product_id", "quantity", "unit_price"],
    ["O1", "P1", "2", "10.00"],
    ["O1", "P2", "1", "5.5"],
    ["O1", "P2", "1", "5.5"],  # exact duplicate
    ["O2", "P1", "three", "10"],  # quantity cannot be cast
    ["O2", "P3", "-1", "4"],  # a return
    ["O3", "P1", "1", "10"],
    ["O4", "P1", "1", "10"],  # its order is rejected
    ["O5", "P1", "1", "10"],  # its order is rejected
    ["O6", "P1", "0", "10"],  # zero quantity
    ["O6", "P2", "1", "0"],  # zero price
    ["O6", "P9", "1", "3"],  # unknown product
    ["O7", "P1", "1", "1"],  # its order is rejected
    ["O99", "P1", "1", "1"],  # no such order
    ["O6", "P3", "2", ""],  # missing price
    ["#8", "P2", "1", "5.5"],
    ["O9", "P1", "1", "10"],  # its order is rejected
]
PRODUCTS = [
    ["product_id", "product_name", "category", "list_price"],
    ["P1", "Widget", "Home", "10"],
    ["P2", "Gadget", "Electronics", "5.5"],
    ["P3", "Thing", "Home", "4"],
]
CUSTOMERS = [
    ["customer_id", "signup_date", "country"],
    ["00042", "2023-12-01", "de"],
    ["00007", "2023-13-01", "FR"],  # impossible signup date
]
REVIEWS = [
    ["review_id", "customer_id", "product_id", "review_date", "rating", "review_text"],
    ["R1", "00042", "P1", "2024-01-10", "5", "Great widget!"],
    ["R2", "00042", "P3", "2024-02-05", "", "meh"],
    ["R3", "00042", "P3", "2024-02-05", "6", "too many stars"],
    ["R4", "00042", "P1", "2024-03-20", "4", "written after the last order"],
    ["R5", "00042", "P1", "2024-01-11", "1705312345000", "an epoch in the rating column"],
    ["R6", "00042", "P1", "2024-01-12", "inf", "no integer either"],
]
#: The tiny inputs plant a rejection on most rows: the guard on rejected rows is turned off.
MESSY = {"reject_error_share": 1.0}

EXPECTED_REJECTIONS = {
    ("orders", 4): "order_date: cannot cast '2023-02-30' to a date or timestamp",
    ("orders", 5): "order_date: missing",
    ("orders", 7): "duplicate: exact copy of an earlier row",
    ("orders", 8): "order_id: same order_id with another customer_id or order date",
    ("orders", 9): "order_id: same order_id with another customer_id or order date",
    ("order_items", 3): "duplicate: exact copy of an earlier row",
    ("order_items", 4): "quantity: cannot cast 'three' to a number",
    ("order_items", 7): "order_id: its order is rejected "
    "(order_date: cannot cast '2023-02-30' to a date or timestamp)",
    ("order_items", 8): "order_id: its order is rejected (order_date: missing)",
    ("order_items", 9): "quantity: zero",
    ("order_items", 10): "unit_price: not positive",
    ("order_items", 11): "product_id: not in products",
    ("order_items", 12): "order_id: its order is rejected "
    "(order_id: same order_id with another customer_id or order date)",
    ("order_items", 13): "order_id: not in orders",
    ("order_items", 14): "unit_price: missing",
    ("orders", 11): "order_date: cannot cast 'infinity' to a date or timestamp",
    ("order_items", 16): "order_id: its order is rejected "
    "(order_date: cannot cast 'infinity' to a date or timestamp)",
    ("reviews", 5): "rating: not an integer from 1 to 5",
    ("reviews", 6): "rating: not an integer from 1 to 5",
    ("customers", 2): "signup_date: cannot cast '2023-13-01' to a date",
    ("reviews", 3): "rating: not an integer from 1 to 5",
}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def write_parquet(path: Path, rows: list[list[str]]) -> None:
    frame = pd.DataFrame(rows[1:], columns=rows[0]).astype("string")
    frame = frame.mask(frame == "")  # blanks are nulls in parquet
    with duckdb.connect() as con:
        con.register("frame", frame)
        con.execute(f"copy frame to '{path}' (format parquet)")


def normalized_dir(base: Path, fmt: str = "csv", with_optional: bool = True) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    writer = write_csv if fmt == "csv" else write_parquet
    inputs = {"orders": ORDERS, "order_items": ORDER_ITEMS}
    if with_optional:
        inputs |= {"products": PRODUCTS, "customers": CUSTOMERS, "reviews": REVIEWS}
    for name, rows in inputs.items():
        writer(base / f"{name}.{fmt}", rows)
    return base


def flat_dir(base: Path) -> Path:
    """The same orders as one transactions file (one line per order item, order fields joined),
    the file names capitalised as Windows tools export them (they match whatever their case)."""
    base.mkdir(parents=True, exist_ok=True)
    orders = {row[0]: row for row in ORDERS[1:4]}  # the valid, unambiguous orders
    lines = [["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]]
    for order_id, product_id, quantity, price in ORDER_ITEMS[1:]:
        if order_id in orders:
            lines.append(
                [order_id, orders[order_id][1], orders[order_id][2], product_id, quantity, price]
            )
    write_csv(base / "Transactions.CSV", lines)
    write_csv(base / "Products.csv", PRODUCTS)
    return base


def dated_orders_dir(base: Path, orders: list[tuple[str, str, str]]) -> Path:
    """A transactions file of one line per (order_id, customer_id, order_date), each one unit
    of P1 at 2: inputs whose dates alone matter."""
    base.mkdir(parents=True, exist_ok=True)
    header = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]
    write_csv(base / "transactions.csv", [header, *([*order, "P1", "1", "2"] for order in orders)])
    return base


def rejections(run: DbtRun) -> dict[tuple[str, int], str]:
    frame = run.df("audit_rejected_rows")
    return {(row.input_name, int(row.source_row_number)): row.reason for row in frame.itertuples()}


@pytest.fixture(scope="module")
def normalized_csv_run(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    base = tmp_path_factory.mktemp("normalized_csv")
    data_dir = normalized_dir(base / "data")
    return run_dbt(
        ["build", *UNIT_TESTS_RUN_ELSEWHERE], base, {"data_dir": str(data_dir), **MESSY}
    ).check()


def test_every_rejection_rule_names_its_column(normalized_csv_run: DbtRun) -> None:
    assert rejections(normalized_csv_run) == EXPECTED_REJECTIONS
    frame = normalized_csv_run.df("audit_rejected_rows")
    for row in frame.itertuples():
        expected_column = (
            "(whole row)" if row.row_status == "duplicate" else row.reason.split(":")[0]
        )
        assert row.rejected_column == expected_column


def test_every_input_row_is_accounted_for(normalized_csv_run: DbtRun) -> None:
    counts = normalized_csv_run.df("audit_input_reconciliation").set_index("input_name")
    for name, rows in {
        "orders": ORDERS,
        "order_items": ORDER_ITEMS,
        "products": PRODUCTS,
        "customers": CUSTOMERS,
        "reviews": REVIEWS,
    }.items():
        not_kept = [key for key in EXPECTED_REJECTIONS if key[0] == name]
        assert counts.loc[name, "rows_read"] == len(rows) - 1
        assert counts.loc[name, "rows_kept"] == len(rows) - 1 - len(not_kept)
        assert (
            counts.loc[name, "rows_kept"]
            + counts.loc[name, "rows_duplicate"]
            + counts.loc[name, "rows_rejected"]
            == counts.loc[name, "rows_read"]
        )
    assert counts.loc["transactions", "rows_read"] == 0


def test_kept_orders_lines_and_ids_as_text(normalized_csv_run: DbtRun) -> None:
    orders = normalized_csv_run.df("select * from fct_orders order by order_id")
    assert orders["order_id"].tolist() == ["#8", "O1", "O2", "O3", "O6"]
    assert orders["customer_id"].tolist()[:2] == ["00042", "00042"]  # leading zeros kept
    assert orders["is_guest_order"].tolist() == [False, False, False, True, False]
    # O1: 2 x 10 + 1 x 5.5; O2: only a return of 1 x 4; O6: every line rejected
    assert orders["net_revenue"].tolist() == [5.5, 25.5, -4.0, 10.0, 0.0]
    assert orders["is_purchase_order"].tolist() == [True, True, False, True, False]
    as_of = normalized_csv_run.scalar("select as_of_date from int_as_of_date_resolved")
    assert str(as_of) == "2024-03-03"  # the day after the last castable order date


def test_null_markers_are_missing_values(tmp_path: Path) -> None:
    """NULL, \\N, NA, nan, None... (the var input_null_values) are missing values, as a blank
    is: before, a guest order's 'NULL' was a customer of its own, a products file's price 'NA'
    rejected the product and then every line of it ('not in products'), and an optional date
    or rating 'NA' rejected its customer or review. review_text is kept as written. A short
    line (O5, no date field) reads as nulls and is rejected for its missing date: before, it
    made the sniffer read orders.csv as one column, and the build failed on 'order_id'."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    inputs = {
        "orders": [
            ["order_id", "customer_id", "order_date"],
            ["O1", "C1", "2024-01-05"],
            ["O2", "NULL", "2024-01-06"],
            ["O3", " NA ", "2024-01-07"],
            ["O4", "\\N", "2024-01-08"],
            ["O5", "C1"],
        ],
        "order_items": [
            ["order_id", "product_id", "quantity", "unit_price"],
            ["O1", "P1", "1", "10"],
            ["O2", "P1", "2", "10"],
            ["O3", "P2", "1", "5"],
            ["O4", "P2", "1", "NA"],  # a missing price: rejected as missing
        ],
        "products": [
            ["product_id", "product_name", "category", "list_price"],
            ["P1", "Widget", "NULL", "NA"],
            ["P2", "Gadget", "Home", "nan"],
        ],
        "customers": [
            ["customer_id", "signup_date", "country"],
            ["C1", "\\N", "None"],
        ],
        "reviews": [
            ["review_id", "customer_id", "product_id", "review_date", "rating", "review_text"],
            ["R1", "C1", "P1", "N/A", "NA", "NA"],
        ],
    }
    for name, rows in inputs.items():
        write_csv(data_dir / f"{name}.csv", rows)
    run = run_dbt(["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir), **MESSY}).check()
    assert run.rows("select order_id, customer_id from fct_orders order by 1") == [
        ("O1", "C1"),
        ("O2", None),
        ("O3", None),
        ("O4", None),
    ]
    assert run.rows("select product_id, category, list_price from dim_products order by 1") == [
        ("P1", "Uncategorized", None),  # as a blank category reads
        ("P2", "Home", None),
    ]
    assert rejections(run) == {
        ("order_items", 4): "unit_price: missing",
        ("orders", 5): "order_date: missing",
    }
    assert run.rows("select customer_id, signup_date, country from int_customers_validated") == [
        ("C1", None, None)
    ]
    reviews = "select row_status, rating, review_date, review_text from int_reviews_validated"
    assert run.rows(reviews) == [("kept", None, None, "NA")]


def test_orders_dated_before_min_order_date_are_rejected(tmp_path: Path) -> None:
    """A two-digit year ('11-03-10', which the ISO cast reads as year 11) or a 0001-01-01
    placeholder is rejected, with its lines, naming the value: before, it was kept and became
    the customer's first order, 2,000 years ago. min_order_date: null keeps them (with the gap
    check on the first order date off too)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_csv(
        data_dir / "orders.csv",
        [
            ["order_id", "customer_id", "order_date"],
            ["O1", "C1", "2024-01-05"],
            ["O2", "C1", "11-03-10"],
            ["O3", "C2", "0001-01-01"],
            ["O4", "C2", "2023-12-30"],
        ],
    )
    write_csv(
        data_dir / "order_items.csv",
        [["order_id", "product_id", "quantity", "unit_price"]]
        + [[f"O{number}", "P1", "1", "10"] for number in range(1, 5)],
    )
    dbt_vars = {"data_dir": str(data_dir), **MESSY}
    run = run_dbt(["build", *FOUNDATION], tmp_path / "default", dbt_vars).check()
    year_11 = "order_date: '11-03-10' is before min_order_date 1900-01-01"
    year_1 = "order_date: '0001-01-01' is before min_order_date 1900-01-01"
    assert rejections(run) == {
        ("orders", 2): year_11,
        ("orders", 3): year_1,
        ("order_items", 2): f"order_id: its order is rejected ({year_11})",
        ("order_items", 3): f"order_id: its order is rejected ({year_1})",
    }
    first_orders = "select customer_id, min(order_date) from fct_orders group by 1 order by 1"
    assert [(c, str(d)) for c, d in run.rows(first_orders)] == [
        ("C1", "2024-01-05"),
        ("C2", "2023-12-30"),
    ]
    # Both guards off (the first order date, year 1, is years before the next one, year 11).
    both_off = {**dbt_vars, "min_order_date": None, "order_date_max_gap_days": None}
    kept = run_dbt(["build", *FOUNDATION], tmp_path / "off", both_off).check()
    assert rejections(kept) == {}
    assert [str(d) for _, d in kept.rows(first_orders)] == ["0011-03-10", "0001-01-01"]


@pytest.mark.parametrize(
    ("var", "value", "model", "message"),
    [
        (
            "input_null_values",
            "NULL",
            "stg_crm__orders",
            "crm_mining: var input_null_values must be a list of non-empty texts, e.g. ['NULL',"
            " 'NA'], or []; got NULL.",
        ),
        (
            "non_product_ids",
            "POST",
            "int_basket_products_filtered",
            "crm_mining: var non_product_ids must be a list of product ids (non-empty texts),"
            " e.g. ['POST', 'M'], or []; got POST.",
        ),
    ],
)
def test_list_vars_must_be_lists(
    tmp_path: Path, var: str, value: str, model: str, message: str
) -> None:
    """A single value written without its list would be read letter by letter: it stops dbt."""
    data_dir = normalized_dir(tmp_path / "data", with_optional=False)
    dbt_vars = {"data_dir": str(data_dir), var: value}
    run = run_dbt(["compile", "--select", model], tmp_path, dbt_vars)
    assert not run.ok
    assert message in " ".join(run.output.split())


#: A value out of range for every var of crm_var_domains (macros/validation), and the message
#: each gets. Unchecked, each compiled into silently wrong results: lists of 0 products, a
#: support above 1 that keeps no rule, a negative shrinkage, a gain bar below 0 that lets a
#: method hitting fewer customers than popularity be chosen, a guard that can never fire.
OUT_OF_RANGE_VARS = {
    "order_date_max_gap_days": (0, "a positive integer, or null, got '0'."),
    "reject_warn_share": (1.5, "a number of 0 or more and 1 or less, got '1.5'."),
    "reject_error_share": (-1, "a number of 0 or more and 1 or less, got '-1'."),
    "assoc_min_support": (2, "a number of 0 or more and 1 or less, got '2'."),
    "assoc_min_confidence": ("high", "a number of 0 or more and 1 or less, got 'high'."),
    "assoc_min_pair_count": (-1, "an integer of 0 or more, got '-1'."),
    "reco_top_n": (0, "a positive integer, got '0'."),
    "reco_history_max_products": (2.5, "a positive integer, got '2.5'."),
    "reco_cf_neighbours": (True, "a positive integer, got 'True'."),
    "reco_cf_shrinkage": (-1, "a number of 0 or more, got '-1'."),
    "reco_eval_max_customers": (0, "a positive integer, or null, got '0'."),
    "reco_min_gain_z": (-1, "a number of 0 or more, got '-1'."),
    "segment_top_categories": (-2, "an integer of 0 or more, got '-2'."),
    "churn_horizon_days": (0, "a positive integer, got '0'."),
    "clv_horizon_days": ("a year", "a positive integer, got 'a year'."),
}


def test_vars_out_of_range_build_nothing_and_are_all_named(tmp_path: Path) -> None:
    """The on-run-start hook checks every var before any node runs and names them all."""
    data_dir = normalized_dir(tmp_path / "data", with_optional=False)
    dbt_vars = {name: value for name, (value, _) in OUT_OF_RANGE_VARS.items()}
    run = run_dbt(["build", "--select", "stg_crm__orders"], tmp_path,
                  {"data_dir": str(data_dir), **dbt_vars})  # fmt: skip
    assert not run.ok
    output = " ".join(run.output.split())
    assert "crm_mining: 15 var(s) out of range, nothing was built:" in output
    missing = [
        name
        for name, (_, message) in OUT_OF_RANGE_VARS.items()
        if f"var {name} must be {message}" not in output
    ]
    assert missing == []
    assert "START sql" not in output  # no model ran (the hooks before it did)


def test_a_var_out_of_range_stops_the_model_that_reads_it(tmp_path: Path) -> None:
    """Where no hook runs (`dbt compile`, `dbt show`), the model reading the var refuses it."""
    data_dir = normalized_dir(tmp_path / "data", with_optional=False)
    dbt_vars = {"data_dir": str(data_dir), "reco_top_n": 0}
    run = run_dbt(["compile", "--select", "fct_customer_buy_again"], tmp_path, dbt_vars)
    assert not run.ok
    output = " ".join(run.output.split())
    assert "crm_mining: var reco_top_n must be a positive integer, got '0'." in output


def test_parquet_input_gives_the_same_tables_as_csv(
    tmp_path: Path, normalized_csv_run: DbtRun
) -> None:
    """Rows keep their numbers: DuckDB numbers Parquet rows by the scan's file_row_number, or,
    where the file has a column of that name (order_items here), by the window as for CSV."""
    data_dir = normalized_dir(tmp_path / "data", fmt="parquet")
    items = data_dir / "order_items.parquet"
    with duckdb.connect() as con:
        shadowing = f"select *, 7 as file_row_number from read_parquet('{items}')"
        con.execute(f"copy ({shadowing}) to '{tmp_path / 'items.parquet'}' (format parquet)")
    (tmp_path / "items.parquet").replace(items)
    run = run_dbt(["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir), **MESSY}).check()
    # blank CSV cells and parquet nulls are both "missing"
    assert rejections(run) == rejections(normalized_csv_run)
    assert {name for name, _ in rejections(run)} >= {"orders", "order_items"}
    for table in ["fct_orders", "dim_products", "audit_input_reconciliation"]:
        query = f"select * from {table} order by all"
        pd.testing.assert_frame_equal(run.df(query), normalized_csv_run.df(query))


def test_flat_layout(tmp_path: Path) -> None:
    data_dir = flat_dir(tmp_path / "data")
    run = run_dbt(["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir), **MESSY}).check()
    orders = run.rows("select order_id, customer_id, net_revenue from fct_orders order by 1")
    assert orders == [("O1", "00042", 25.5), ("O2", "00042", -4.0), ("O3", None, 10.0)]
    reasons = sorted(rejections(run).values())
    assert reasons == [
        "duplicate: exact copy of an earlier row",
        "quantity: cannot cast 'three' to a number",
    ]
    products = run.df("select product_id, product_name from dim_products order by 1")
    assert products["product_name"].tolist() == ["Widget", "Gadget", "Thing"]


def test_flat_order_lines_must_agree_on_customer_and_day(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_csv(
        data_dir / "transactions.csv",
        [
            ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"],
            ["A", "1", "2024-01-01 10:00:00", "P1", "1", "2"],
            ["A", "1", "2024-01-01 10:01:00", "P2", "1", "2"],  # same day: one order
            ["B", "1", "2024-01-02", "P1", "1", "2"],
            ["B", "2", "2024-01-02", "P2", "1", "2"],  # another customer: conflict
        ],
    )
    run = run_dbt(["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir), **MESSY}).check()
    assert run.rows("select order_id, ordered_at::varchar from fct_orders") == [
        ("A", "2024-01-01 10:00:00")
    ]
    assert sorted(rejections(run)) == [("transactions", 3), ("transactions", 4)]


#: date_formats of zoned_dates_run: a %z format first, then a local one (ISO text after both).
ZONED_FORMATS = ["%d/%m/%Y %H:%M %z", "%d/%m/%Y %H:%M"]
#: Its orders written in those formats: (order_id, order_date, the UTC time it must give).
FORMATTED_DATES = [
    ("F1", "15/01/2024 23:30 -0500", "2024-01-16 04:30:00"),
    ("F2", "15/01/2024 23:30", "2024-01-15 23:30:00"),
]


@pytest.fixture(scope="module")
def zoned_dates_run(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """One flat file: the order dates of oracles/timestamps.py (T00, T01, ...) and
    FORMATTED_DATES, read with ZONED_FORMATS."""
    base = tmp_path_factory.mktemp("zoned_dates")
    data_dir = base / "data"
    data_dir.mkdir()
    header = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]
    dates = [(f"T{i:02d}", text) for i, (text, _) in enumerate(ISO_TIMESTAMPS)]
    dates += [(order_id, text) for order_id, text, _ in FORMATTED_DATES]
    lines = [[order_id, "1", text, "P1", "1", "2"] for order_id, text in dates]
    write_csv(data_dir / "transactions.csv", [header, *lines])
    dbt_vars = {"data_dir": str(data_dir), "date_formats": ZONED_FORMATS, **MESSY}
    return run_dbt(["build", *FOUNDATION], base, dbt_vars).check()


def test_dates_with_a_time_zone_are_read_as_utc(
    zoned_dates_run: DbtRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An offset or zone name gives the instant's UTC time (DuckDB's cast to TIMESTAMP would
    drop it: 23:30-05:00 would stay on the 15th); a local time is read as written; a suffix
    that names no zone is rejected instead of dropped. Spark: test_spark.py, same cases."""
    monkeypatch.chdir(zoned_dates_run.work_dir)  # the staging views read data/ from there
    read = dict(zoned_dates_run.rows("select order_id, ordered_at from stg_crm__transactions"))
    reasons = rejections(zoned_dates_run)
    for i, (text, expected) in enumerate(ISO_TIMESTAMPS):
        if expected is None:
            assert read[f"T{i:02d}"] is None, text
            assert reasons[("transactions", i + 1)] == (
                f"order_date: cannot cast '{text}' to a date or timestamp"
            )
        else:
            assert pd.Timestamp(read[f"T{i:02d}"]) == pd.Timestamp(expected), text
    days = dict(zoned_dates_run.rows("select order_id, order_date::varchar from fct_orders"))
    assert days["T04"] == "2024-01-16"  # 2024-01-15 23:30:00-05:00


def test_date_formats_with_an_offset_are_read_as_utc(
    zoned_dates_run: DbtRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A %z format gives UTC time; the other formats and ISO text stay local times (DuckDB's
    strptime over a list holding a %z format read them in the session's time zone, as
    TIMESTAMP WITH TIME ZONE, and the build failed)."""
    ordered_at = dict(zoned_dates_run.rows("select order_id, ordered_at::varchar from fct_orders"))
    for order_id, text, expected in FORMATTED_DATES:
        assert ordered_at[order_id] == expected, text
    monkeypatch.chdir(zoned_dates_run.work_dir)
    assert zoned_dates_run.scalar(
        "select distinct typeof(ordered_at) from stg_crm__transactions"
    ) == ("TIMESTAMP")


@pytest.fixture(scope="module")
def pandas_parquet_run(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """Parquet files of pandas' types beside a CSV customers file, decimal_separator ',' (the
    CSV files' decimal mark): float64 customer ids (an integer column with missing values), a
    TIMESTAMP WITH TIME ZONE order date, float quantities and prices."""
    base = tmp_path_factory.mktemp("pandas_parquet")
    data_dir = base / "data"
    data_dir.mkdir()
    utc = pd.to_datetime(
        ["2024-01-16 04:30:00", "2024-01-15 12:00:00", "2024-01-17 00:00:00"], utc=True
    )
    pd.DataFrame(
        {
            "order_id": ["A", "B", "C"],
            "customer_id": [12346.0, np.nan, 7.0],  # float64, as pandas stores it
            "order_date": utc,
        }
    ).to_parquet(data_dir / "orders.parquet")
    pd.DataFrame(
        {
            "order_id": ["A", "B", "C"],
            "product_id": ["P1", "P1", "P1"],
            "quantity": [1.0, 2.0, 1.0],
            "unit_price": [30.99, 3.5, 1e-05],
        }
    ).to_parquet(data_dir / "order_items.parquet")
    write_csv(data_dir / "customers.csv", [["customer_id", "country"], ["12346", "GB"]])
    dbt_vars = {"data_dir": str(data_dir), "decimal_separator": ",", **MESSY}
    return run_dbt(["build", *FOUNDATION], base, dbt_vars).check()


def test_parquet_numbers_are_read_as_their_values(
    pandas_parquet_run: DbtRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A float64 id 12346.0 matches 12346 in the CSV file; float quantities and prices keep
    their values under decimal_separator ','. Before, its text '12346.0' was another customer
    and '30.99' read as 3099 (a quantity '1.0' as 10)."""
    assert pandas_parquet_run.rows(
        "select order_id, customer_id, net_revenue::varchar from fct_orders order by 1"
    ) == [("A", "12346", "30.9900"), ("B", None, "7.0000"), ("C", "7", "0.0000")]
    monkeypatch.chdir(pandas_parquet_run.work_dir)  # the staging views read data/ from there
    assert pandas_parquet_run.rows(
        """select fct_orders.order_id, customers.country
        from fct_orders
        left join int_customers_validated as customers
            on fct_orders.customer_id = customers.customer_id
        order by 1"""
    ) == [("A", "GB"), ("B", None), ("C", None)]


def test_parquet_timestamps_with_a_time_zone_read_the_same_in_every_session_zone(
    pandas_parquet_run: DbtRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet TIMESTAMP WITH TIME ZONE column reaches staging as the instant's UTC time, so
    the order dates do not depend on the session's (the machine's) time zone: 23:30 on the
    15th in New York is the 16th. Before, its text in the session's zone ('... 23:30:00-05')
    lost the offset."""
    expected = [
        ("A", "2024-01-16 04:30:00", "2024-01-16"),
        ("B", "2024-01-15 12:00:00", "2024-01-15"),
        ("C", "2024-01-17 00:00:00", "2024-01-17"),
    ]
    query = "select order_id, ordered_at::varchar, order_date::varchar from {} order by 1"
    assert pandas_parquet_run.rows(query.format("fct_orders")) == expected
    monkeypatch.chdir(pandas_parquet_run.work_dir)
    for zone in ["America/New_York", "Asia/Tokyo"]:
        with duckdb.connect(str(pandas_parquet_run.db_path), read_only=True) as con:
            con.execute(f"set TimeZone = '{zone}'")
            assert con.sql(query.format("stg_crm__orders")).fetchall() == expected, zone


def test_as_of_date_var_leaves_out_later_orders(tmp_path: Path) -> None:
    """Rows dated on or after a set as_of_date are left out with their own status, not
    rejected, and are not examined further: orders (O6's duplicate, O7's conflicting
    customers), their lines (O2's 'three', O6's zero quantity), reviews (R3's 6 stars) and a
    customer who signed up on as_of_date. The reconciliation counts them in their own column;
    the guard's share is of the other rows."""
    data_dir = normalized_dir(tmp_path / "data")
    write_csv(data_dir / "customers.csv", [*CUSTOMERS, ["00077", "2024-02-01", "NL"]])
    run = run_dbt(
        ["build", *FOUNDATION],
        tmp_path,
        {"data_dir": str(data_dir), "as_of_date": "2024-02-01", **MESSY},
    ).check()
    # as_of_date is exclusive: O2, dated 2024-02-01, is on it
    assert run.rows("select order_id from fct_orders order by 1") == [("O1",)]
    after = run.df(
        "select input_name, source_row_number, reason, rejected_column from audit_rejected_rows"
        " where row_status = 'after_as_of_date'"
    )
    rows_after = after.groupby("input_name")["source_row_number"].apply(sorted).to_dict()
    assert rows_after == {
        "orders": [2, 3, 6, 7, 8, 9, 10],  # O2, O3, O6 and its copy, O7's two customers, #8
        "order_items": [4, 5, 6, 9, 10, 11, 12, 14, 15],  # the lines of O2, O3, O6, O7, #8
        "reviews": [2, 3, 4],
        "customers": [3],
    }
    date_column = (
        after["input_name"]
        .map({"reviews": "review_date", "customers": "signup_date"})
        .fillna("order_date")
    )
    assert (after["rejected_column"] == date_column).all()
    assert (after["reason"] == date_column + ": on or after as_of_date").all()
    # what is before as_of_date is still rejected: O4, O5, O9 and their lines, O99's line,
    # R5's and R6's ratings
    rejected = run.rows(
        "select input_name, source_row_number from audit_rejected_rows"
        " where row_status = 'rejected' order by 1, 2"
    )
    assert rejected == [
        ("customers", 2),
        ("order_items", 7),
        ("order_items", 8),
        ("order_items", 13),
        ("order_items", 16),
        ("orders", 4),
        ("orders", 5),
        ("orders", 11),
        ("reviews", 5),
        ("reviews", 6),
    ]
    counts = run.df("audit_input_reconciliation").set_index("input_name")
    assert counts["rows_after_as_of_date"].to_dict() == {
        "orders": 7,
        "order_items": 9,
        "transactions": 0,
        "customers": 1,
        "products": 0,
        "reviews": 3,
    }
    guard = run.df("int_input_rejections_checked").set_index("input_name")
    assert guard.loc["orders", "share_rejected"] == pytest.approx(3 / 4)  # of 11 - 7 rows
    assert guard.loc["order_items", "share_rejected"] == pytest.approx(4 / 7)  # of 16 - 9
    assert run.scalar("select is_as_of_date_from_var from int_as_of_date_resolved") is True


@pytest.mark.parametrize(
    ("last_date", "gap"), [("2099-01-01", 27330), ("9999-12-31", 2913109)], ids=["typo", "sentinel"]
)
def test_a_last_order_date_years_ahead_fails_saying_what_to_set(
    tmp_path: Path, last_date: str, gap: int
) -> None:
    """One order dated years after the others (a typo year, an 'open' sentinel) would be the
    analysis date: before, every customer's recency was 27,331 days (2099) or 2.9 million."""
    data_dir = dated_orders_dir(
        tmp_path / "data",
        [("T1", "C1", "2024-01-05"), ("T2", "C2", "2024-03-05"), ("T3", "C1", last_date)],
    )
    run = run_dbt(
        ["build", "--select", "+int_as_of_date_resolved"], tmp_path, {"data_dir": str(data_dir)}
    )
    assert not run.ok
    assert (
        f"crm_mining input: the last order date {last_date} (1 rows) is {gap} days after the"
        " order date before it (2024-03-05), more than order_date_max_gap_days = 365"
    ) in " ".join(run.output.split()), run.output[-3000:]
    assert "--vars '{as_of_date: \"2024-03-06\"}' keeps the orders up to 2024-03-05" in (
        " ".join(run.output.split())
    )


def test_an_as_of_date_after_the_data_warns(tmp_path: Path) -> None:
    """A scheduled run with as_of_date = today on an export that lags: the days without data
    count as days without a purchase (churn labels, CLV's T), so the build says so (before, it
    said nothing: on the sample, a month's lag turned 702 customers churned instead of 656)."""
    data_dir = dated_orders_dir(
        tmp_path / "data", [("T1", "C1", "2024-01-05"), ("T2", "C2", "2024-03-05")]
    )
    dbt_vars = {"data_dir": str(data_dir), "as_of_date": "2024-03-09"}
    run = run_dbt(["build", "--select", "+int_as_of_date_resolved"], tmp_path, dbt_vars).check()
    assert (
        "crm_mining input: as_of_date 2024-03-09 is 3 day(s) after the day after the last order"
        " date 2024-03-05: those days have no order in the input"
    ) in " ".join(run.output.split()), run.output[-3000:]


def test_a_first_order_date_years_back_fails_saying_what_to_set(tmp_path: Path) -> None:
    """A placeholder date (1970-01-01 for a zero timestamp) years before the other orders would
    be those customers' first order; the message names the min_order_date that rejects it."""
    data_dir = dated_orders_dir(
        tmp_path / "data",
        [
            ("T1", "C1", "1970-01-01"),
            ("T2", "C2", "1970-01-01"),
            ("T3", "C1", "2024-01-05"),
            ("T4", "C2", "2024-03-05"),
        ],
    )
    dbt_vars = {"data_dir": str(data_dir), **MESSY}
    run = run_dbt(["build", "--select", "+int_as_of_date_resolved"], tmp_path / "gap", dbt_vars)
    assert not run.ok
    output = " ".join(run.output.split())
    assert (
        "crm_mining input: the first order date 1970-01-01 (2 rows) is 19727 days before the"
        " order date after it (2024-01-05), more than order_date_max_gap_days = 365"
    ) in output, run.output[-3000:]
    assert "--vars '{min_order_date: \"2024-01-05\"}' keeps the orders from 2024-01-05" in output
    fixed = run_dbt(
        ["build", *FOUNDATION], tmp_path / "fixed", {**dbt_vars, "min_order_date": "2024-01-05"}
    ).check()
    reason = "order_date: '1970-01-01' is before min_order_date 2024-01-05"
    assert rejections(fixed) == {("transactions", 1): reason, ("transactions", 2): reason}
    assert fixed.rows("select order_id from fct_orders order by 1") == [("T3",), ("T4",)]


@pytest.mark.parametrize("value", ["01/02/2024", "2024-02-30"])
def test_an_as_of_date_that_is_not_a_date_fails_naming_it(tmp_path: Path, value: str) -> None:
    """Checked before any SQL: Spark without ANSI mode would cast either to null, and the build
    would stop on "no valid order" instead."""
    data_dir = normalized_dir(tmp_path / "data", with_optional=False)
    run = run_dbt(
        ["compile", "--select", "int_as_of_date_resolved"],
        tmp_path,
        {"data_dir": str(data_dir), "as_of_date": value},
    )
    assert not run.ok
    assert (
        f"crm_mining: var as_of_date must be a date written YYYY-MM-DD (e.g. 2024-02-01),"
        f" got '{value}'."
    ) in " ".join(run.output.split())


def test_reviews_newer_than_the_orders_are_kept(normalized_csv_run: DbtRun) -> None:
    """Without the var, a review dated after the last order (R4) is kept for the sentiment
    marts: the review cutoff is the day after the last review."""
    dates = normalized_csv_run.rows(
        "select as_of_date::varchar, review_cutoff_date::varchar from int_as_of_date_resolved"
    )
    assert dates == [("2024-03-03", "2024-03-21")]
    assert ("reviews", 4) not in rejections(normalized_csv_run)
    reviews = normalized_csv_run.df("select review_id from fct_review_sentiment order by 1")
    assert "R4" in reviews["review_id"].tolist()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"orders": ORDERS},
            "required file 'order_items.csv' (or 'order_items.parquet') not found in data_dir '"
            "{data_dir}' (normalized layout needs orders, order_items; the flat layout needs "
            "transactions). Files found: orders.csv.",
        ),
        (
            {
                "orders": [[c for c in row if c] for row in [["order_id", "customer_id"]]],
                "order_items": ORDER_ITEMS,
            },
            "lacks required column 'order_date'",
        ),
        (
            {"orders": ORDERS, "order_items": ORDER_ITEMS, "transactions": ORDER_ITEMS},
            "holds both the flat layout",
        ),
        (
            {"orders": ORDERS, "order_items": ORDER_ITEMS, "customers": []},
            "lacks required column 'customer_id' (required: customer_id; found: column0). Only"
            " one column was read: the file is empty, has no header line, or its delimiter was"
            " not detected",
        ),
    ],
    ids=["missing-required-file", "missing-required-column", "both-layouts", "empty-file"],
)
def test_contract_violations_fail_with_a_clear_message(
    tmp_path: Path, files: dict[str, list[list[str]]], message: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name, rows in files.items():
        write_csv(data_dir / f"{name}.csv", rows)
    run = run_dbt(["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir)})
    assert not run.ok
    message = message.format(data_dir=data_dir.relative_to(tmp_path))
    assert message in run.output, run.output[-3000:]


def assert_planted_rows_audited(run: DbtRun, truth_dir: Path) -> None:
    """Every invalid row the generator planted is rejected for its column, nothing else is, and
    every planted exact duplicate is dropped."""
    planted = pd.read_csv(truth_dir / "planted_invalid_rows.csv", dtype=str)
    manifest = json.loads((truth_dir / "manifest.json").read_text())
    audit = run.df("select * from audit_rejected_rows")
    rejected = audit[audit["row_status"] == "rejected"]
    found = rejected[["input_name", "natural_key", "rejected_column"]].itertuples(index=False)
    expected = planted[["file", "natural_key", "column"]].itertuples(index=False)
    assert sorted(map(tuple, found)) == sorted(map(tuple, expected))
    duplicates = int((audit["row_status"] == "duplicate").sum())
    assert duplicates == manifest["counts"]["exact_duplicate_lines"]


def test_planted_invalid_rows_of_the_bundled_sample(sample_build: DbtRun) -> None:
    assert_planted_rows_audited(sample_build, PROJECT_DIR / "tests" / "fixtures" / "sample_truth")


def test_planted_invalid_rows_of_generated_data(
    generated_build: DbtRun, generated_data: Path
) -> None:
    assert_planted_rows_audited(generated_build, generated_data / "truth")
    counts = generated_build.df("audit_input_reconciliation").set_index("input_name")
    manifest = json.loads((generated_data / "truth" / "manifest.json").read_text())
    for name in ["orders", "order_items", "customers", "products", "reviews"]:
        assert counts.loc[name, "rows_read"] == manifest["files"][name]["rows"]


# ---------------------------------------------------------------- formats of real exports

EUROPEAN_LINES = [
    [
        "order_id",
        "customer_id",
        "order_date",
        "product_id",
        "quantity",
        "unit_price",
        "product_name",
    ],
    ["A1", "00042", "10/03/2011 16:16", "P1", "2", "2,95", "Käse"],
    ["A1", "00042", "10/03/2011 16:16", "P2", "1", "1.234,50", "Große Tasche"],
    ["B2", "00043", "01/04/2011 09:05", "P1", "-1", "2,95", "Käse"],
    ["B3", "00043", "02/04/2011 09:05", "P3", "1", "abc", "Bad price"],
]
EUROPEAN_VARS = {
    "date_formats": ["%d/%m/%Y %H:%M"],
    "decimal_separator": ",",
    "input_encoding": "latin-1",
}
GUARD_SELECTION = ["--select", "+int_order_lines_cleaned", *UNIT_TESTS_RUN_ELSEWHERE]


def write_export(path: Path, rows: list[list[str]], encoding: str) -> None:
    """A CSV as a European spreadsheet writes it: semicolons, in the given encoding."""
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def test_european_export_reads_with_its_vars(tmp_path: Path) -> None:
    """Latin-1, semicolons, day-first dates and decimal commas, read with the vars that say so;
    three unreadable values in seven lines pass the warning level, not the error level. A point
    that groups no thousands (B4's 2.95) is unreadable under decimal commas: before, it was
    deleted and the price read as 295. No thousands group starts with 0: B5's 0.500 was read
    as 500."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    b4 = ["B4", "00043", "03/04/2011 09:05", "P1", "1", "2.95", "Käse"]
    b5 = ["B5", "00043", "04/04/2011 09:05", "P1", "0.500", "2,95", "Käse"]
    b6 = ["B6", "00043", "05/04/2011 09:05", "P2", "2", "1,50", "Große Tasche"]
    write_export(data_dir / "transactions.csv", [*EUROPEAN_LINES, b4, b5, b6], "latin-1")
    run = run_dbt(
        ["build", *FOUNDATION], tmp_path, {"data_dir": str(data_dir), **EUROPEAN_VARS}
    ).check()
    orders = run.rows(
        "select order_id, ordered_at::varchar, net_revenue::varchar from fct_orders order by 1"
    )
    assert orders == [
        ("A1", "2011-03-10 16:16:00", "1240.4000"),  # 2 x 2.95 + 1234.50: day first
        ("B2", "2011-04-01 09:05:00", "-2.9500"),
        ("B6", "2011-04-05 09:05:00", "3.0000"),
    ]
    names = run.df("select product_name from dim_products order by product_id")
    assert names["product_name"].tolist() == ["Käse", "Große Tasche"]  # B3 is rejected
    assert rejections(run)[("transactions", 6)] == "quantity: cannot cast '0.500' to a number"
    assert (
        "crm_mining input 'transactions': 3 of 7 rows rejected (42.9 %), above reject_warn_share"
        " = 0.05; most frequent reason (2 rows): unit_price: cannot cast '2.95' to a number"
    ) in " ".join(run.output.split())


#: A year-end export analysed as of 2024-02-01: 4 lines before it (one unreadable price), 12
#: after it (2024-02-01 and later).
POINT_IN_TIME_LINES = [
    ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"],
    ["T1", "C1", "2024-01-05", "P1", "2", "10.00"],
    ["T1", "C1", "2024-01-05", "P2", "1", "abc"],
    ["T2", "C2", "2024-01-20", "P1", "1", "10"],
    ["T2", "C2", "2024-01-20", "P3", "1", "4"],
    *[
        [f"T{day + 2}", f"C{day % 3}", f"2024-02-{day:02d}", product, "1", "3"]
        for day in range(1, 7)
        for product in ("P1", "P2")
    ],
]


def test_point_in_time_run_is_not_held_for_the_rows_it_leaves_out(tmp_path: Path) -> None:
    """12 of 16 lines are on or after as_of_date: left out, not rejected, so the guard's share
    is 1 unreadable price of the 4 lines before it (a warning), not 13 of 16 (81 %: the build
    failed, and every point-in-time run tripped the guard)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_csv(data_dir / "transactions.csv", POINT_IN_TIME_LINES)
    dbt_vars = {"data_dir": str(data_dir), "as_of_date": "2024-02-01"}
    run = run_dbt(["build", *GUARD_SELECTION], tmp_path, dbt_vars).check()
    assert run.rows("select distinct order_id from int_order_lines_cleaned order by 1") == [
        ("T1",),
        ("T2",),
    ]
    assert (
        "crm_mining input 'transactions': 1 of 4 rows dated before as_of_date rejected (25.0 %;"
        " 12 rows on or after it are left out), above reject_warn_share = 0.05; most frequent"
        " reason (1 rows): unit_price: cannot cast 'abc' to a number"
    ) in " ".join(run.output.split())


def test_as_of_date_before_every_order_fails_saying_so(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_csv(data_dir / "transactions.csv", POINT_IN_TIME_LINES)
    dbt_vars = {"data_dir": str(data_dir), "as_of_date": "2024-01-01"}
    run = run_dbt(["build", *GUARD_SELECTION], tmp_path, dbt_vars)
    assert not run.ok
    assert (
        "crm_mining input 'transactions': no valid order line: no row dated before as_of_date"
        " (16 rows on or after it are left out)."
    ) in " ".join(run.output.split()), run.output[-3000:]


@pytest.mark.parametrize(
    ("encoding", "rows", "dbt_vars", "message"),
    [
        (
            "utf-8-sig",  # a BOM and semicolons read fine: the date is what fails
            EUROPEAN_LINES,
            {"decimal_separator": ","},
            "crm_mining input: no valid order, so no as_of_date: none of its 4 order dates can"
            " be read (4 unreadable, e.g. '01/04/2011 09:05'); dates must be ISO 8601",
        ),
        (
            "utf-8",
            EUROPEAN_LINES,
            {"date_formats": ["%d/%m/%Y %H:%M"]},
            "crm_mining input 'transactions': no valid order line: 4 of 4 rows rejected"
            " (100.0 %); most frequent reason (4 rows): unit_price: cannot cast",
        ),
        (
            "latin-1",
            EUROPEAN_LINES,
            {"date_formats": ["%d/%m/%Y %H:%M"], "decimal_separator": ","},
            "This file is not utf-8 encoded",
        ),
        (
            "utf-8",
            EUROPEAN_LINES[:1],
            {},
            "crm_mining input: no valid order, so no as_of_date: the transactions input has no row",
        ),
    ],
    ids=["day-first-dates", "decimal-commas", "latin-1", "no-rows"],
)
def test_unreadable_exports_fail_saying_what_to_set(
    tmp_path: Path, encoding: str, rows: list[list[str]], dbt_vars: dict, message: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_export(data_dir / "transactions.csv", rows, encoding)
    run = run_dbt(["build", *GUARD_SELECTION], tmp_path, {"data_dir": str(data_dir), **dbt_vars})
    assert not run.ok
    assert message in " ".join(run.output.split()), run.output[-3000:]
