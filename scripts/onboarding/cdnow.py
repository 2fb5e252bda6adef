"""Onboarding example: the CDNOW purchase log to the project's normalized input layout.

    python scripts/onboarding/cdnow.py OUT_DIR [--master]
    dbt build --vars '{data_dir: OUT_DIR}'

The CDNOW data (Fader & Hardie's CD retailer cohort of January-March 1997, purchases until
June 1998) ships inside the `lifetimes` wheel from PyPI: `CDNOW_sample.txt` (the 1/10
sample of 2,357 customers used in "Counting your customers the easy way", 6,919 lines) and,
with --master, `CDNOW_master.txt` (all 23,570 customers). Each line is one transaction:
customer id, sample id (not in the master file), date (YYYYMMDD), number of CDs, dollar
amount.

What it maps (nothing is filtered here: the project's validation rules decide, and every row
they leave out is explained in audit_rejected_rows):
- one order per line: order_id = `<customer>-<line number in the file>` (a customer may buy
  twice on one day: two orders, one purchase day for the CLV models);
- customer_id = the zero-padded customer id as written ("00004");
- order_date = the date, ISO;
- one order line per order: product_id "cd", quantity 1, unit_price = the dollar amount.
  CDNOW records the number of CDs and the total paid, not unit prices: amount / CDs is not
  exact in cents, so the line carries the whole amount and the CD count is not kept.
  The 8 lines of the sample with amount 0.00 are rejected by the project
  (`unit_price: not positive`), with their orders' lines.
"""

from __future__ import annotations

import argparse
import csv
from importlib import resources
from pathlib import Path

from crm_mining.onboarding import format_counts


def source_file(master: bool = False) -> Path:
    """Path of the CDNOW file inside the installed lifetimes package."""
    name = "CDNOW_master.txt" if master else "CDNOW_sample.txt"
    return Path(str(resources.files("lifetimes.datasets").joinpath(name)))


def convert(out_dir: Path, master: bool = False, source: Path | None = None) -> dict[str, int]:
    """Write orders.csv and order_items.csv into out_dir; return row counts per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = source or source_file(master)
    written = 0
    with (
        source.open(encoding="ascii") as lines,
        (out_dir / "orders.csv").open("w", newline="", encoding="utf-8") as orders_file,
        (out_dir / "order_items.csv").open("w", newline="", encoding="utf-8") as items_file,
    ):
        orders = csv.writer(orders_file)
        items = csv.writer(items_file)
        orders.writerow(["order_id", "customer_id", "order_date"])
        items.writerow(["order_id", "product_id", "quantity", "unit_price"])
        for line_number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields or not fields[0].isdigit():
                continue  # blank, or the header line of CDNOW_master.txt
            # the sample: customer, sample id, date, CDs, amount; the master: no sample id
            customer_id, date, amount = fields[0], fields[-3], fields[-1]
            order_id = f"{customer_id}-{line_number}"
            orders.writerow([order_id, customer_id, f"{date[:4]}-{date[4:6]}-{date[6:]}"])
            items.writerow([order_id, "cd", "1", amount])
            written += 1
    return {"orders": written, "order_items": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--master", action="store_true", help="all 23,570 customers")
    args = parser.parse_args()
    counts = convert(args.out_dir, master=args.master)
    print(format_counts(counts))


if __name__ == "__main__":
    main()
