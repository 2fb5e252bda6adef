"""An independent pandas implementation of fct_customer_rfm, to check the SQL against.

Written from the definitions in docs/rfm.md, not from the SQL: the features are grouped per
customer from purchase lines (the SQL flags purchase orders first), the scores use
`Series.rank(method="min")` (the SQL uses window functions) and the segment map is the grid of
the documentation as a table (the SQL is a `case`).

`online_retail_kept_lines` applies the project's documented validation rules, for the flat
layout, to the raw UCI "Online Retail" export, so that the whole chain can be checked
end-to-end on real data.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The segment grid of the documentation (doc block rfm_segment): R score (key) x F score 1..5.
SEGMENT_GRID: dict[int, list[str]] = {
    5: ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal", "Loyal"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    1: ["Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"],
}

FEATURE_COLUMNS = [
    "first_order_date",
    "last_order_date",
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
]


def rfm_features(lines: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """RFM features per customer from kept order lines dated strictly before `cutoff`.

    `lines`: one row per kept order line with customer_id (null = guest), order_id,
    order_date (date or datetime), quantity (negative = returned) and unit_price.
    Returns one row per customer with at least one purchase order (an order with a line of
    positive quantity), indexed by customer_id, with FEATURE_COLUMNS; monetary is the net sum of
    quantity * unit_price over all the customer's lines, in exact decimal arithmetic (README
    "Types": quantities read to 3 decimals and prices to 4, each line amount rounded to 4
    decimals, ties away from zero), and avg_order_value
    monetary / frequency rounded the same way; both are Decimal.
    """
    cutoff_ts = pd.Timestamp(cutoff)
    order_date = pd.to_datetime(lines["order_date"]).dt.normalize()
    frame = pd.DataFrame(
        {
            "customer_id": lines["customer_id"],
            "order_id": lines["order_id"],
            "order_date": order_date,
            "quantity": lines["quantity"].astype(float),
            "amount": [
                to_amount(
                    decimal_of(quantity).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
                    * decimal_of(price).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                )
                for quantity, price in zip(lines["quantity"], lines["unit_price"], strict=True)
            ],
        }
    )
    frame = frame[frame["customer_id"].notna() & (frame["order_date"] < cutoff_ts)]
    purchases = frame[frame["quantity"] > 0]
    orders = purchases.groupby("customer_id").agg(
        first_order_date=("order_date", "min"),
        last_order_date=("order_date", "max"),
        frequency=("order_id", "nunique"),
    )
    monetary = frame.groupby("customer_id")["amount"].agg(lambda amounts: sum(amounts, Decimal(0)))
    out = orders.join(monetary.rename("monetary"), how="left")
    out["recency_days"] = (cutoff_ts - out["last_order_date"]).dt.days
    out["tenure_days"] = (cutoff_ts - out["first_order_date"]).dt.days
    out["avg_order_value"] = [
        to_amount(total / frequency)
        for total, frequency in zip(out["monetary"], out["frequency"], strict=True)
    ]
    out["first_order_date"] = out["first_order_date"].dt.date
    out["last_order_date"] = out["last_order_date"].dt.date
    return out[FEATURE_COLUMNS].sort_index()


def decimal_of(value: object) -> Decimal:
    """A quantity or price as an exact decimal: text as written, a float by its shortest repr
    (a DuckDB DECIMAL read into pandas as float64 gives back its digits)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def to_amount(value: Decimal) -> Decimal:
    """An amount at the project's money precision: 4 decimals, ties away from zero."""
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def quantile_scores(values: pd.Series, bins: int, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins: 1 + floor(bins * (customers strictly worse) / (n - 1)), capped at bins.

    Equal values share a score; a single value scores 1.
    """
    n = len(values)
    if n == 1:
        return pd.Series(1, index=values.index, dtype="int64")
    # rank "min" counts the values strictly before in the order, worst first, plus one
    strictly_worse = values.rank(method="min", ascending=higher_is_better).astype("int64") - 1
    return np.minimum(bins, 1 + (bins * strictly_worse) // (n - 1)).astype("int64")


def score_on_5(score: pd.Series, bins: int) -> pd.Series:
    """A 1..bins score read on 1..5: 1 + 4 * (score - 1) / (bins - 1), rounded half up."""
    if bins == 5:
        return score.astype("int64")
    # exact rational arithmetic: floor(x + 1/2) with x = 4 * (s - 1) / (bins - 1)
    return 1 + (8 * (score - 1) + (bins - 1)) // (2 * (bins - 1))


def value_tier(f5: pd.Series, m5: pd.Series, monetary: pd.Series) -> pd.Series:
    """'low' when monetary <= 0, else by F5 + M5: >= 8 'high', >= 5 'medium', else 'low'."""
    total = f5 + m5
    tier = np.where(total >= 8, "high", np.where(total >= 5, "medium", "low"))
    return pd.Series(np.where(monetary <= 0, "low", tier), index=f5.index)


def customer_rfm(lines: pd.DataFrame, cutoff: dt.date, bins: int = 5) -> pd.DataFrame:
    """The whole of fct_customer_rfm (indexed by customer_id) from kept lines and the cutoff."""
    out = rfm_features(lines, cutoff)
    out["r_score"] = quantile_scores(out["recency_days"], bins, higher_is_better=False)
    out["f_score"] = quantile_scores(out["frequency"], bins)
    m_score = quantile_scores(out["monetary"], bins)
    out["m_score"] = m_score.where(out["monetary"] > 0, 1)
    out["rfm_cell"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    )
    r5 = score_on_5(out["r_score"], bins)
    f5 = score_on_5(out["f_score"], bins)
    m5 = score_on_5(out["m_score"], bins)
    out["rfm_segment"] = [SEGMENT_GRID[r][f - 1] for r, f in zip(r5, f5, strict=True)]
    out["value_tier"] = value_tier(f5, m5, out["monetary"])
    return out


def _read_text(path: Path) -> pd.DataFrame:
    """A CSV input as read by staging: every column text, trimmed, blank -> null."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.apply(lambda column: column.str.strip().replace("", None))


def normalized_kept_lines(data_dir: Path) -> tuple[pd.DataFrame, dt.date]:
    """Kept order lines and default as_of_date of a normalized-layout CSV input directory.

    The documented validation rules, applied in pandas: an order is rejected when its id or
    date is missing, its date cannot be cast, or its id appears with another customer or date
    text; exact copies of a kept order are dropped. A line is rejected when its order is not
    kept, its product is missing (or, with a products input, not among the kept products), its
    quantity is missing, not a number or zero, or its unit_price is missing, not a number or
    not positive; exact copies of a kept line are dropped. as_of_date is the day after the last
    castable order date.
    """
    orders = _read_text(data_dir / "orders.csv")
    items = _read_text(data_dir / "order_items.csv")
    orders["ordered_at"] = pd.to_datetime(orders["order_date"], format="ISO8601", errors="coerce")
    as_of_date = (orders["ordered_at"].max().normalize() + pd.Timedelta(days=1)).date()
    versions = orders.dropna(subset=["order_id"]).drop_duplicates(
        ["order_id", "customer_id", "order_date"]
    )
    conflicting = set(versions.loc[versions["order_id"].duplicated(), "order_id"])
    order_ok = (
        orders["order_id"].notna()
        & orders["ordered_at"].notna()
        & (orders["ordered_at"].dt.date <= as_of_date)
        & ~orders["order_id"].isin(conflicting)
    )
    kept_orders = orders[order_ok].drop_duplicates(["order_id", "customer_id", "order_date"])

    lines = items.merge(
        kept_orders[["order_id", "customer_id", "order_date", "ordered_at"]],
        on="order_id",
        how="inner",
    )
    lines["quantity_value"] = pd.to_numeric(lines["quantity"], errors="coerce")
    lines["unit_price_value"] = pd.to_numeric(lines["unit_price"], errors="coerce")
    line_ok = (
        lines["product_id"].notna()
        & lines["quantity_value"].notna()
        & (lines["quantity_value"] != 0)
        & lines["unit_price_value"].notna()
        & (lines["unit_price_value"] > 0)
    )
    if (data_dir / "products.csv").exists():
        products = _read_text(data_dir / "products.csv").dropna(subset=["product_id"])
        list_price = pd.to_numeric(products.get("list_price"), errors="coerce")
        bad_price = products.get("list_price").notna() & (list_price.isna() | (list_price < 0))
        products = products[~bad_price].drop_duplicates()
        known = set(products.loc[~products["product_id"].duplicated(keep=False), "product_id"])
        line_ok &= lines["product_id"].isin(known)
    copy_key = ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]
    kept = lines[line_ok]
    kept = kept[~kept[copy_key].fillna("\x00null").duplicated(keep="first")]
    out = pd.DataFrame(
        {
            "customer_id": kept["customer_id"],
            "order_id": kept["order_id"],
            "order_date": kept["ordered_at"].dt.normalize(),
            "quantity": kept["quantity_value"].astype(float),
            "unit_price": kept["unit_price_value"].astype(float),
        }
    )
    return out.reset_index(drop=True), as_of_date


def online_retail_kept_lines(raw: pd.DataFrame) -> tuple[pd.DataFrame, dt.date]:
    """Kept order lines and default as_of_date of a raw UCI Online Retail export (all text).

    The project's rules for the flat layout that this file can break, as documented in
    rejection_reason and row_status: a line is rejected when its quantity is zero or its
    unit_price is not positive; every line of an invoice is rejected when the invoice's lines
    disagree on the customer or the calendar date; then exact copies (every column as read,
    after trimming) of an earlier kept line are dropped as duplicates. "NA" customers are guests.
    as_of_date: the day after the last order date of the file.
    """
    text = raw.astype(str).apply(lambda column: column.str.strip())
    customer = text["CustomerID"].where(~text["CustomerID"].str.upper().isin(["", "NA"]))
    customer = customer.str.replace(r"\.0$", "", regex=True)
    ordered_at = pd.to_datetime(text["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    lines = pd.DataFrame(
        {
            "order_id": text["InvoiceNo"],
            "customer_id": customer,
            "order_day": ordered_at.dt.normalize(),
            "order_date_raw": text["InvoiceDate"],
            "product_id": text["StockCode"],
            "product_name": text["Description"],
            "quantity_raw": text["Quantity"],
            "unit_price_raw": text["UnitPrice"],
            "quantity": text["Quantity"].astype(float),
            "unit_price": text["UnitPrice"].astype(float),
        }
    )
    as_of_date = (ordered_at.max().normalize() + pd.Timedelta(days=1)).date()
    versions = lines[["order_id", "customer_id", "order_day"]].drop_duplicates()
    conflicting = versions["order_id"][versions["order_id"].duplicated()].unique()
    bad = (
        (lines["quantity"] == 0) | (lines["unit_price"] <= 0) | lines["order_id"].isin(conflicting)
    )
    copy_key = [
        "order_id",
        "customer_id",
        "order_date_raw",
        "product_id",
        "product_name",
        "quantity_raw",
        "unit_price_raw",
    ]
    kept = lines[~bad]
    kept = kept[~kept[copy_key].fillna("\x00null").duplicated(keep="first")]
    kept = kept.rename(columns={"order_day": "order_date"})
    return kept[["customer_id", "order_id", "order_date", "quantity", "unit_price"]], as_of_date


# ---------------------------------------------------------------- assertions on builds

INTEGER_COLUMNS = ["recency_days", "frequency", "tenure_days", "r_score", "f_score", "m_score"]
TEXT_COLUMNS = ["rfm_cell", "rfm_segment", "value_tier"]


def assert_same_rfm(mart: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    """Every customer and every listed column equal (money to 1e-6: both are exact decimals
    with 4 places, the mart's read as doubles)."""
    mart = mart.set_index("customer_id").sort_index()
    expected = expected.sort_index()
    assert mart.index.tolist() == expected.index.tolist()
    for column in columns:
        got, want = mart[column], expected[column]
        if column in ("monetary", "avg_order_value"):
            np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), atol=1e-6)
        elif column.endswith("_date"):
            assert [pd.Timestamp(v).date() for v in got] == list(want), column
        elif column in INTEGER_COLUMNS:
            assert got.astype("int64").tolist() == want.astype("int64").tolist(), column
        else:
            assert got.astype(str).tolist() == want.astype(str).tolist(), column


ALL_COLUMNS = [*FEATURE_COLUMNS, "r_score", "f_score", "m_score", *TEXT_COLUMNS]


def kept_lines(run: Any) -> tuple[pd.DataFrame, dt.date]:
    """The kept lines (as cleaned by the foundation) and as_of_date of a build."""
    lines = run.df(
        "select customer_id, order_id, order_date, quantity, unit_price "
        "from int_order_lines_cleaned"
    )
    return lines, run.scalar("select as_of_date from int_as_of_date_resolved")
