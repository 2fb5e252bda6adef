"""Onboarding: the UCI "Online Retail" export to the project's flat input layout.

    python scripts/onboarding/online_retail.py SOURCE.csv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR, non_product_ids: [POST, DOT, C2, M, ...]}'

(non_product_ids: NON_PRODUCT_IDS below, the stock codes that are no goods: their lines stay
in orders and revenue, and they stay out of the rules and of every recommendation list.)

Python: `convert(source, out_dir) -> {"transactions": rows, "customers": rows}` writes
OUT_DIR/transactions.csv and OUT_DIR/customers.csv (OUT_DIR is created; write into a folder
that holds no other input files).

Source: UCI "Online Retail" (Chen, Sain & Guo 2012; CC BY 4.0), one row per invoice line,
columns InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
(extra columns such as the Revenue and Month of online_retail_first10k_clean.csv are ignored:
the project computes revenue itself). Read as UTF-8 (a BOM is skipped), comma-separated, with
a header, quoted or not, any line ending. Both files of ../shared/datasets/online_retail are
this shape: the raw random 20k sample ("NA" customers, cancellations, zero prices) and the
cleaned first 10k rows (customer ids written as floats, "17850.0").

What maps to what (one transactions row per source row, in source order; nothing is filtered
here: the project's validation decides, and audit_rejected_rows explains every row it leaves out):
- InvoiceNo -> order_id, as written. Cancellations ("C536379") keep their prefix: they are
  orders of their own whose negative quantities are returns (they reduce revenue and never
  count as purchase orders).
- CustomerID -> customer_id. Guest tokens (GUEST_TOKENS, compared after trimming, any case):
  "" (the original UCI file and pandas exports leave it blank), "NA" (R's write.csv, as in the
  random 20k sample), "NaN" (pandas writing a float column holding missing values) and "NULL"
  (SQL exports) become an empty customer_id, i.e. a guest order: kept in order-level and basket
  marts, left out of customer-level ones. A float artefact "17850.0" (digits, then ".0")
  becomes "17850"; any other value is kept as written.
- InvoiceDate -> order_date. ISO "YYYY-MM-DD HH:MM:SS" (both shared files) is kept; the
  original UCI export's month-first "12/1/2010 8:26" is rewritten "2010-12-01 08:26:00"; any
  other text is passed on as written for the project to reject.
- StockCode -> product_id, Description -> product_name (blank descriptions stay blank).
- Quantity -> quantity, as written (integers; negative = returned).
- UnitPrice -> unit_price, with a decimal point: an integer price "18" is written "18.00",
  other values as written.
- Country -> customers.csv (customer_id, country): one row per non-guest customer, the most
  frequent country of their rows (ties: alphabetical first; blank when none is given), sorted
  by customer_id (3,049 customers in the random 20k sample, 390 in the first 10k).

Left for the project's validation (reason it gives in audit_rejected_rows):
- zero prices ("damaged", "check" adjustments): `unit_price: not positive` (90 rows of the
  random 20k sample, 1 of the first 10k);
- exact copies of an earlier row (every column as written): row_status `duplicate` (7 rows of
  the random 20k sample, 255 of the first 10k);
- an invoice whose lines disagree on customer or day:
  `order_id: same order_id with another customer_id or order date` (none in the shared files);
- a date or number that does not parse: `order_date: cannot cast ...`, `quantity: cannot cast
  ...`, `unit_price: cannot cast ...` (e.g. a decimal comma "2,95"; none in the shared files).

Nothing is invented: every written value comes from the source.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

from crm_mining.onboarding import run_converter

#: Customer ids meaning "no customer" (a guest order), compared after trimming, in upper case.
GUEST_TOKENS = frozenset({"", "NA", "NAN", "NULL"})

#: StockCodes of the Online Retail data that are no goods (postage, carriage, fees, manual
#: adjustments, discounts, samples, gift vouchers): the value of the var non_product_ids.
NON_PRODUCT_IDS = (
    "POST",
    "DOT",
    "C2",
    "M",
    "m",
    "D",
    "S",
    "B",
    "BANK CHARGES",
    "AMAZONFEE",
    "CRUK",
    "gift_0001_10",
    "gift_0001_20",
    "gift_0001_30",
    "gift_0001_40",
    "gift_0001_50",
)

TRANSACTION_COLUMNS = [
    "order_id",
    "customer_id",
    "order_date",
    "product_id",
    "quantity",
    "unit_price",
    "product_name",
]

_UCI_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?")


def clean_customer_id(value: str) -> str:
    """The customer id as text: a guest token -> "" (guest), "17850.0" -> "17850"."""
    value = value.strip()
    if value.upper() in GUEST_TOKENS:
        return ""
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


def iso_timestamp(value: str) -> str:
    """An invoice date as ISO: ISO kept, UCI month-first "12/1/2010 8:26" rewritten, else as is."""
    value = value.strip()
    match = _UCI_DATE.fullmatch(value)
    if not match:
        return value
    month, day, year, hour, minute, second = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d} {int(hour):02d}:{minute}:{second or '00'}"


def decimal_text(value: str) -> str:
    """A price with a decimal point: an integer "18" -> "18.00", anything else as written."""
    value = value.strip()
    return f"{value}.00" if re.fullmatch(r"[+-]?\d+", value) else value


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write transactions.csv and customers.csv into out_dir; return the rows of each file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    written = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as source_file,
        (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as target,
    ):
        writer = csv.writer(target)
        writer.writerow(TRANSACTION_COLUMNS)
        for row in csv.DictReader(source_file):
            customer_id = clean_customer_id(row["CustomerID"])
            country = (row.get("Country") or "").strip()
            if customer_id:
                seen = countries[customer_id]  # every customer gets a row, with or without country
                if country:
                    seen[country] += 1
            writer.writerow(
                [
                    row["InvoiceNo"].strip(),
                    customer_id,
                    iso_timestamp(row["InvoiceDate"]),
                    row["StockCode"].strip(),
                    row["Quantity"].strip(),
                    decimal_text(row["UnitPrice"]),
                    row["Description"].strip(),
                ]
            )
            written += 1
    with (out_dir / "customers.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(["customer_id", "country"])
        for customer_id in sorted(countries):
            counts = countries[customer_id]
            country = min(counts, key=lambda name: (-counts[name], name), default="")
            writer.writerow([customer_id, country])
    return {"transactions": written, "customers": len(countries)}


def main() -> None:
    run_converter(convert, __doc__, source_help="the Online Retail CSV")


if __name__ == "__main__":
    main()
