"""Onboarding: the Kaggle "Groceries dataset" to the project's flat input layout.

    python scripts/onboarding/kaggle_groceries.py Groceries_dataset.csv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

Python: `convert(source, out_dir) -> {"transactions": rows}` writes OUT_DIR/transactions.csv
(OUT_DIR is created; write into a folder that holds no other input files).

Source: "Groceries dataset" (Kaggle, heeraldedhia), original 3-column form: one row per item
bought, columns Member_number, Date (dd-mm-yyyy), itemDescription; 38,765 rows, 3,898 members,
167 items, 2014-01-01..2015-12-30. Read as UTF-8 (a BOM is skipped), comma-separated, with a
header, any line ending. The source has no basket id, no quantity and no price.

What maps to what:
- a basket (order) is one member's purchases of one day, as in the dataset's published
  analyses (14,963 baskets; "whole milk" in 2,363 of them):
  order_id = "<Member_number>-<YYYY-MM-DD>" (e.g. "1808-2015-07-21");
- Member_number -> customer_id (trimmed; the members are the customers, no guest orders);
- Date dd-mm-yyyy -> order_date YYYY-MM-DD (a value that is not dd-mm-yyyy is passed on as
  written, for the project to reject);
- itemDescription, trimmed ("cream cheese " -> "cream cheese", as the project's staging would
  trim it anyway) -> product_id and product_name;
- one transactions row per (basket, item), in order of first appearance; quantity = the number
  of source rows of that item in that basket. The source repeats a row when a member bought an
  item twice that day (759 of the 38,765 rows): counting them keeps every unit (the sum of the
  quantities is the source's row count), where writing them as they are would make the project
  drop them as exact duplicates.

Invented because the source lacks it: unit_price = "1.00" on every line (the data has no
prices), so revenue counts units bought; there are no returns.

Left for the project's validation: a blank member, date or item (`customer_id` blank -> a guest
order; `order_date: missing`; `product_id: missing`) or a date that is not a date
(`order_date: cannot cast ...`): none in the Kaggle file.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from crm_mining.onboarding import run_converter

TRANSACTION_COLUMNS = [
    "order_id",
    "customer_id",
    "order_date",
    "product_id",
    "quantity",
    "unit_price",
    "product_name",
]

#: The price written on every line: the source has none.
UNIT_PRICE = "1.00"


def iso_date(value: str) -> str:
    """A dd-mm-yyyy date as YYYY-MM-DD; any other text as written (the project rejects it)."""
    value = value.strip()
    try:
        return dt.datetime.strptime(value, "%d-%m-%Y").date().isoformat()
    except ValueError:
        return value


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write transactions.csv into out_dir; return its row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # (order_id, customer_id, order_date, item) -> units, in order of first appearance
    units: dict[tuple[str, str, str, str], int] = {}
    with source.open(newline="", encoding="utf-8-sig") as source_file:
        for row in csv.DictReader(source_file):
            member = row["Member_number"].strip()
            order_date = iso_date(row["Date"])
            key = (f"{member}-{order_date}", member, order_date, row["itemDescription"].strip())
            units[key] = units.get(key, 0) + 1
    with (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(TRANSACTION_COLUMNS)
        for (order_id, member, order_date, item), quantity in units.items():
            writer.writerow([order_id, member, order_date, item, quantity, UNIT_PRICE, item])
    return {"transactions": len(units)}


def main() -> None:
    run_converter(convert, __doc__, source_help="Groceries_dataset.csv")


if __name__ == "__main__":
    main()
