"""Onboarding: a VADER ground-truth file to the project's reviews input, with a minimal order.

    python scripts/onboarding/vader_groundtruth.py tweets_GroundTruth.txt OUT_DIR
    dbt build --vars '{data_dir: OUT_DIR}'

Python: `convert(source, out_dir) -> {"transactions": 1, "reviews": rows}` writes
OUT_DIR/transactions.csv (flat layout) and OUT_DIR/reviews.csv (OUT_DIR is created; write
into a folder that holds no other input files). Convert each ground-truth file into its own
folder.

Source: the ground truth of Hutto & Gilbert, "VADER", ICWSM 2014 (vaderSentiment repository,
MIT): `*_GroundTruth.txt`, e.g. amazonReviewSnippets (3,708 sentences of product reviews) and
tweets (4,200). One text per line: id, the mean of 20 human ratings on -4..+4, the text;
tab-separated, no header, CRLF line endings, no quoting (quotes in a text are part of it), UTF-8
(a BOM is skipped). No customer, product, date, star rating, order or price.

What maps to what (one reviews row per non-blank line, in file order; blank lines are skipped):
- id -> review_id, as written ("1_5", "17");
- text -> review_text, exactly as written (everything after the second tab);
- the human mean -> the extra column `human_sentiment_mean` (text, as written). The project
  ignores extra columns; it is there so that VADER's compound score in fct_review_sentiment
  can be compared with the humans (Pearson r, VADER paper Table 4) by joining on review_id.
  It is not a rating: `rating` (1-5 stars) is left out, and so are customer_id, product_id and
  review_date (none in the source); the project reads them as null.
A line without two tabs is not this format: convert raises ValueError naming the line.

Invented because the source lacks it: the orders. The contract requires them (a build with no
valid order fails), so transactions.csv holds one line: order_id "placeholder", a guest order
(customer_id empty) dated ORDER_DATE "2000-01-01" (as_of_date then defaults to 2000-01-02;
the reviews have no date, so none is rejected for it), product_id "placeholder", quantity 1,
unit_price "1.00". Order-level marts show that one order; customer-level marts are empty.

Left for the project's validation: an id written twice with different texts (`review_id: same
review_id with other values`) or twice identically (row_status `duplicate`): none in the
published files (11 amazon snippets repeat a text under different ids: they stay two reviews).
"""

from __future__ import annotations

import csv
from pathlib import Path

from crm_mining.onboarding import run_converter

#: The date of the one invented order: the source has none.
ORDER_DATE = "2000-01-01"
#: The invented order line: (order_id, customer_id, order_date, product_id, quantity, price).
PLACEHOLDER_LINE = ["placeholder", "", ORDER_DATE, "placeholder", "1", "1.00"]


def convert(source: Path, out_dir: Path) -> dict[str, int]:
    """Write transactions.csv (one invented line) and reviews.csv into out_dir; return rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as source_file,
        (out_dir / "reviews.csv").open("w", newline="", encoding="utf-8") as reviews_file,
    ):
        reviews = csv.writer(reviews_file)
        reviews.writerow(["review_id", "review_text", "human_sentiment_mean"])
        for line_number, line in enumerate(source_file, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t", 2)
            if len(fields) != 3:
                raise ValueError(
                    f"{source}:{line_number}: expected 'id<TAB>mean rating<TAB>text', got {line!r}"
                )
            review_id, mean_rating, text = fields
            reviews.writerow([review_id.strip(), text, mean_rating.strip()])
            written += 1
    with (out_dir / "transactions.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(
            ["order_id", "customer_id", "order_date", "product_id", "quantity", "unit_price"]
        )
        writer.writerow(PLACEHOLDER_LINE)
    return {"transactions": 1, "reviews": written}


def main() -> None:
    run_converter(convert, __doc__, source_help="a *_GroundTruth.txt file")


if __name__ == "__main__":
    main()
