"""Onboarding: the "Amazon Alexa Reviews" to the project's reviews input, with derived orders.

    python scripts/onboarding/amazon_alexa.py amazon_alexa.tsv OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

Python: `convert(source, out_dir) -> {"orders": rows, "order_items": rows, "reviews": rows}`
writes OUT_DIR/orders.csv, OUT_DIR/order_items.csv and OUT_DIR/reviews.csv (normalized layout;
OUT_DIR is created; write into a folder that holds no other input files).

Source: "Amazon Alexa Reviews" (Kaggle, sid321axn): 3,150 English reviews of Amazon Echo
devices, columns rating (1-5), date (d-Mon-yy, e.g. "31-Jul-18"), variation (the device
variant: "Black  Dot", "Charcoal Fabric ", ...), verified_reviews (the text), feedback (1 when
rating >= 3, else 0). UTF-8 with a BOM (skipped), tab-separated, with a header, CRLF line
endings, texts quoted the CSV way when they hold quotes. No review id, no customer, no price.

What maps to what (one reviews row, one order and one order line per source row, in source
order; nothing is filtered here):
- review_id = the row number (1 = first row after the header) of the first row with the same
  four values and feedback. The source has no id: exact copies of a row (714 rows repeat an
  earlier one, long texts included, so mostly scraping repeats) share its id and are written
  as they are, so the project drops them as duplicates (row_status `duplicate`), while two
  different reviews never share an id. Two customers writing the same words about the same
  variant on the same day with the same stars cannot be told apart from a repeat: they count
  once.
- customer_id: none (the source has no customers; reviews and orders are anonymous);
- variation, blanks collapsed and trimmed ("Black  Dot" -> "Black Dot", "Charcoal Fabric " ->
  "Charcoal Fabric") -> product_id of the review and of its order line (16 products);
- date d-Mon-yy -> review_date YYYY-MM-DD (years 20yy: 2018-05-16..2018-07-31); a value in
  another form is passed on as written, for the project to reject;
- rating -> rating, as written; verified_reviews -> review_text exactly as read (79 texts are
  a single blank: the project keeps the review and its rating, the sentiment model decides what
  a blank text scores); feedback is not written (it is derived from the rating).

Orders: the source has none, and the project needs orders. A review is taken as evidence of a
purchase of its variant, so each source row also yields one guest order (order_id = its
review_id, customer_id empty, order_date = the review date, so that the default as_of_date,
the day after the last order, keeps every review) with one order line (product_id = the
variant, quantity 1). Copies share the order id and are dropped as duplicates like their
reviews.

Invented because the source lacks it: unit_price = "1.00" on every order line (the data has no
prices; revenue counts reviewed units), and the orders themselves, as above.

Left for the project's validation: a rating that is not an integer 1-5 (`rating: ...`), a date
that does not parse (`review_date: cannot cast ...` and `order_date: cannot cast ...`), a blank
variation (`product_id: missing` on the order line): none in the Kaggle file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from crm_mining.onboarding import run_converter

#: The price written on every derived order line: the source has none.
UNIT_PRICE = "1.00"

#: The source's columns: rows equal on all of them are copies of one review.
SOURCE_COLUMNS = ("rating", "date", "variation", "verified_reviews", "feedback")

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2})")


def iso_date(value: str) -> str:
    """A d-Mon-yy date ("31-Jul-18") as YYYY-MM-DD (year 20yy); any other text as written."""
    value = value.strip()
    match = _DATE.fullmatch(value)
    if not match or match.group(2).lower() not in _MONTHS:
        return value
    day, month, year = match.groups()
    return f"20{year}-{_MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}"


def product_id(variation: str) -> str:
    """The variation with runs of blanks collapsed and trimmed: "Black  Dot " -> "Black Dot"."""
    return " ".join(variation.split())


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write orders.csv, order_items.csv and reviews.csv into out_dir; return their rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    first_row_of: dict[tuple[str, ...], int] = {}
    written = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as source_file,
        (out_dir / "orders.csv").open("w", newline="", encoding="utf-8") as orders_file,
        (out_dir / "order_items.csv").open("w", newline="", encoding="utf-8") as items_file,
        (out_dir / "reviews.csv").open("w", newline="", encoding="utf-8") as reviews_file,
    ):
        orders = csv.writer(orders_file)
        items = csv.writer(items_file)
        reviews = csv.writer(reviews_file)
        orders.writerow(["order_id", "customer_id", "order_date"])
        items.writerow(["order_id", "product_id", "quantity", "unit_price"])
        reviews.writerow(["review_id", "product_id", "review_date", "rating", "review_text"])
        for row_number, row in enumerate(csv.DictReader(source_file, delimiter="\t"), start=1):
            copy_key = tuple(row.get(column) or "" for column in SOURCE_COLUMNS)
            review_id = str(first_row_of.setdefault(copy_key, row_number))
            product = product_id(row["variation"])
            review_date = iso_date(row["date"])
            orders.writerow([review_id, "", review_date])
            items.writerow([review_id, product, 1, UNIT_PRICE])
            reviews.writerow(
                [review_id, product, review_date, row["rating"].strip(), row["verified_reviews"]]
            )
            written += 1
    return {"orders": written, "order_items": written, "reviews": written}


def main() -> None:
    run_converter(convert, __doc__, source_help="amazon_alexa.tsv")


if __name__ == "__main__":
    main()
