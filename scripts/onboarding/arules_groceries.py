"""Onboarding: the arules `Groceries` baskets to the project's normalized input layout.

    python scripts/onboarding/arules_groceries.py groceries.csv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

Python: `convert(source, out_dir) -> {"orders": rows, "order_items": rows}` writes
OUT_DIR/orders.csv and OUT_DIR/order_items.csv (OUT_DIR is created; write into a folder that
holds no other input files).

Source: the classic `Groceries` data of the R package arules (Hahsler, Hornik & Reutterer
2006: 30 days of point-of-sale baskets of a grocery outlet), as the CSV of "Machine Learning
with R": one basket per line, its item names comma-separated, no header, no customer, no date,
no quantity, no price; 9,835 baskets, 169 items. Read as UTF-8 (a BOM is skipped), any line
ending.

What maps to what:
- each non-blank line -> one order; order_id = its line number in the file ("1" for the first
  line). Blank lines (e.g. a trailing empty line) hold no basket and are skipped: with a blank
  line inside the file, order ids keep pointing at source lines and are not consecutive;
- customer_id empty: every basket is a guest order (kept in order-level and basket analysis,
  the item associations; customer-level marts are empty);
- each item name, trimmed ("cream cheese " -> "cream cheese", as the project's staging would
  trim it anyway) -> one order_items row with product_id = the name, in the order of the line;
  an item written twice in one basket becomes one row with quantity 2 (none in the arules
  file), else quantity 1.

Invented because the source lacks it:
- order_date = ORDER_DATE ("2000-01-01") for every basket: the data has no dates, and the
  project needs one (as_of_date then defaults to 2000-01-02; time-based marts, churn windows
  and recency, see one day);
- unit_price = "1.00" on every line, so revenue counts units.

Left for the project's validation: an empty item between two commas ("a,,b") is written as an
empty product_id and rejected (`product_id: missing`); none in the arules file.
"""

from __future__ import annotations

import csv
from pathlib import Path

from crm_mining.onboarding import run_converter

#: The date written on every basket: the source has none.
ORDER_DATE = "2000-01-01"
#: The price written on every line: the source has none.
UNIT_PRICE = "1.00"


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write orders.csv and order_items.csv into out_dir; return the rows of each file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    orders = lines = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as source_file,
        (out_dir / "orders.csv").open("w", newline="", encoding="utf-8") as orders_file,
        (out_dir / "order_items.csv").open("w", newline="", encoding="utf-8") as items_file,
    ):
        orders_writer = csv.writer(orders_file)
        items_writer = csv.writer(items_file)
        orders_writer.writerow(["order_id", "customer_id", "order_date"])
        items_writer.writerow(["order_id", "product_id", "quantity", "unit_price"])
        for line_number, basket in enumerate(csv.reader(source_file), start=1):
            if not any(item.strip() for item in basket):
                continue
            order_id = str(line_number)
            orders_writer.writerow([order_id, "", ORDER_DATE])
            orders += 1
            units: dict[str, int] = {}
            for item in basket:
                units[item.strip()] = units.get(item.strip(), 0) + 1
            for item, quantity in units.items():
                items_writer.writerow([order_id, item, quantity, UNIT_PRICE])
                lines += 1
    return {"orders": orders, "order_items": lines}


def main() -> None:
    run_converter(convert, __doc__, source_help="groceries.csv (one basket per line)")


if __name__ == "__main__":
    main()
