"""Onboarding example: the UCI "Online Retail" export to the project's flat input layout.

    python scripts/onboarding/online_retail_to_flat.py INPUT.csv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

What it maps (nothing is filtered here: the project's validation rules decide, and every row
they leave out is explained in audit_rejected_rows):
- InvoiceNo -> order_id (cancellations keep their "C" prefix: they are their own orders, with
  negative quantities, i.e. returns);
- CustomerID -> customer_id; "NA" or empty -> empty (a guest order); "17850.0" -> "17850";
- InvoiceDate -> order_date (already ISO "YYYY-MM-DD HH:MM:SS" in the UCI CSV);
- StockCode -> product_id, Description -> product_name, Quantity -> quantity,
  UnitPrice -> unit_price (a zero price, as on "damaged" adjustments, is rejected by the project);
- Country -> customers.csv (customer_id, country), the most frequent country of each customer
  (ties: alphabetical).
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from pathlib import Path

TRANSACTION_COLUMNS = [
    "order_id",
    "customer_id",
    "order_date",
    "product_id",
    "quantity",
    "unit_price",
    "product_name",
]


def clean_customer_id(value: str) -> str:
    """The UCI customer id as text: "NA"/blank -> "" (guest), "17850.0" -> "17850"."""
    value = value.strip()
    if value.upper() in {"", "NA", "NAN", "NULL"}:
        return ""
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


def convert(input_csv: Path, out_dir: Path) -> dict[str, int]:
    """Write transactions.csv and customers.csv into out_dir; return row counts per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    written = 0
    with (
        input_csv.open(newline="", encoding="utf-8-sig") as source,
        (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as target,
    ):
        writer = csv.writer(target)
        writer.writerow(TRANSACTION_COLUMNS)
        for row in csv.DictReader(source):
            customer_id = clean_customer_id(row["CustomerID"])
            if customer_id and row.get("Country"):
                countries[customer_id][row["Country"].strip()] += 1
            writer.writerow(
                [
                    row["InvoiceNo"].strip(),
                    customer_id,
                    row["InvoiceDate"].strip(),
                    row["StockCode"].strip(),
                    row["Quantity"].strip(),
                    row["UnitPrice"].strip(),
                    row["Description"].strip(),
                ]
            )
            written += 1
    with (out_dir / "customers.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(["customer_id", "country"])
        for customer_id in sorted(countries):
            country = min(countries[customer_id].items(), key=lambda item: (-item[1], item[0]))[0]
            writer.writerow([customer_id, country])
    return {"transactions": written, "customers": len(countries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input_csv", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    counts = convert(args.input_csv, args.out_dir)
    print(", ".join(f"{name}: {count} rows" for name, count in counts.items()))


if __name__ == "__main__":
    main()
