"""Onboarding: the bakery baskets "BreadBasket_DMS" to the project's flat input layout.

    python scripts/onboarding/bakery.py BreadBasket_DMS.csv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

Python: `convert(source, out_dir) -> {"transactions": rows, "dropped_none_items": rows}` writes
OUT_DIR/transactions.csv (OUT_DIR is created; write into a folder that holds no other input
files); "dropped_none_items" counts the source rows dropped here (see below), not a file.

Source: "Transactions from a bakery" (Kaggle, BreadBasket_DMS.csv): one row per item sold,
columns Date (dd-mm-yyyy), Time (HH:MM:SS), Transaction (the basket number), Item; 21,293 rows,
9,531 transaction numbers, 2016-10-30..2017-04-09. No customers, no quantity, no price. Read as
UTF-8 (a BOM is skipped), comma-separated, with a header, any line ending.

Dropped here (the converter's choice, counted in "dropped_none_items"): rows whose Item is
"NONE" (any case, trimmed): 786 rows. They mark a transaction number with nothing sold, not a
product; 66 transactions hold nothing else and so disappear, leaving 9,465 baskets. Passing
them on would make "NONE" the 6th most frequent product (in 753 baskets).

What maps to what:
- Transaction -> order_id; customer_id empty: every basket is a guest order (kept in order-level
  and basket analysis, the item associations; customer-level marts are empty);
- Date dd-mm-yyyy + Time -> order_date "YYYY-MM-DD HH:MM:SS" (a date that is not dd-mm-yyyy is
  passed on as written, with its time, for the project to reject);
- Item, trimmed ("Coffee granules " -> "Coffee granules", as the project's staging would trim
  it anyway) -> product_id and product_name;
- one transactions row per (transaction, item), in order of first appearance; quantity = the
  number of source rows of that item in that transaction. The source writes one row per unit
  (two coffees are two identical rows: 1,620 of the kept rows repeat an earlier one): counting
  them keeps every unit (the quantities sum to the kept source rows, 20,507), where writing
  them as they are would make the project drop them as exact duplicates.

Invented because the source lacks it: unit_price = "1.00" on every line (the data has no
prices), so revenue counts units sold; there are no returns.

Left for the project's validation: a transaction whose rows disagree on the day
(`order_id: same order_id with another customer_id or order date`; none in the Kaggle file,
and times may differ within a day: the order's time is the earliest), a blank or unparseable
date (`order_date: missing` / `order_date: cannot cast ...`), a blank item
(`product_id: missing`).
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

#: The item marking "nothing sold", dropped by the converter (compared trimmed, in upper case).
NONE_ITEM = "NONE"
#: The price written on every line: the source has none.
UNIT_PRICE = "1.00"


def iso_timestamp(date: str, time: str) -> str:
    """dd-mm-yyyy + HH:MM:SS as "YYYY-MM-DD HH:MM:SS"; a date in another form is kept as is."""
    date, time = date.strip(), time.strip()
    try:
        date = dt.datetime.strptime(date, "%d-%m-%Y").date().isoformat()
    except ValueError:
        pass
    return f"{date} {time}".strip()


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write transactions.csv into out_dir; return its row count and the "NONE" rows dropped."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # (transaction, timestamp, item) -> units, in order of first appearance
    units: dict[tuple[str, str, str], int] = {}
    dropped = 0
    with source.open(newline="", encoding="utf-8-sig") as source_file:
        for row in csv.DictReader(source_file):
            item = row["Item"].strip()
            if item.upper() == NONE_ITEM:
                dropped += 1
                continue
            key = (row["Transaction"].strip(), iso_timestamp(row["Date"], row["Time"]), item)
            units[key] = units.get(key, 0) + 1
    with (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(TRANSACTION_COLUMNS)
        for (order_id, ordered_at, item), quantity in units.items():
            writer.writerow([order_id, "", ordered_at, item, quantity, UNIT_PRICE, item])
    return {"transactions": len(units), "dropped_none_items": dropped}


def main() -> None:
    run_converter(convert, __doc__, source_help="BreadBasket_DMS.csv")


if __name__ == "__main__":
    main()
