"""Dataset converters of scripts/onboarding: each maps its public file to the input contract.

Fast (no dbt): every converter on a small inline sample holding the source's quirks (BOM, CRLF,
blank lines, "NA" customers, "NONE" items, float customer ids, copies), compared with the
output written by hand; then on the real file of ../shared/datasets (skipped when absent),
where the output must give the counts and figures published in the datasets' README, recounted
here from the converted files. Every written file must hold the contract's columns, which are
read from macros/input/crm_input_contract.sql (the contract's one declaration).
"""

from __future__ import annotations

import ast
import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_DIR, shared_dataset

from crm_mining.onboarding import run_converter
from scripts.onboarding import (
    amazon_alexa,
    arules_groceries,
    bakery,
    kaggle_groceries,
    online_retail,
    vader_groundtruth,
)

CONVERTERS = [
    amazon_alexa,
    arules_groceries,
    bakery,
    kaggle_groceries,
    online_retail,
    vader_groundtruth,
]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def input_contract() -> dict[str, dict]:
    """The input contract of the project, read from the macro that declares it."""
    text = (PROJECT_DIR / "macros" / "input" / "crm_input_contract.sql").read_text()
    body = text[text.index("return(") + len("return(") : text.rindex(") }}")]
    return ast.literal_eval(re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", body)))


def write_bytes(path: Path, text: str, bom: bool = False, crlf: bool = False) -> Path:
    """Write text as UTF-8 (optionally with a BOM and CRLF line endings) and return the path."""
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def read(path: Path) -> pd.DataFrame:
    """A written input file as the project reads it: every value text, blank = ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def rows(path: Path) -> list[list[str]]:
    """A written CSV file as lists of strings, header first."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def assert_contract(out_dir: Path, counts: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The files written are inputs of the contract, of one layout, with their required columns
    and the row counts convert() returned; dates are ISO and numbers use a decimal point.
    Returns the files read, by input name."""
    contract = input_contract()
    written = {path.stem: read(path) for path in sorted(out_dir.iterdir())}
    assert set(written) <= set(contract), sorted(written)
    assert {name: len(frame) for name, frame in written.items()} == {
        name: count for name, count in counts.items() if name in contract
    }
    layouts = {contract[name]["layout"] for name in written} - {"any"}
    assert len(layouts) == 1, layouts
    layout = layouts.pop()
    for name, spec in contract.items():
        if spec["required"] and spec["layout"] == layout:
            assert name in written, f"{layout} layout without {name}"
    for name, frame in written.items():
        spec = contract[name]
        assert set(spec["columns"]) <= set(frame.columns), (name, list(frame.columns))
        for column in set(frame.columns) & {"order_date", "review_date", "signup_date"}:
            values = frame[column][frame[column] != ""]
            assert values.str.fullmatch(ISO_DATE).all(), values[~values.str.fullmatch(ISO_DATE)]
        for column in set(frame.columns) & {"quantity", "unit_price"}:
            assert frame[column].str.fullmatch(NUMBER).all(), (name, column)
        if "unit_price" in frame.columns:
            assert frame["unit_price"].str.contains(".", regex=False).all()
    return written


def test_the_contract_is_read_from_its_macro() -> None:
    contract = input_contract()
    assert contract["transactions"]["columns"][:3] == ["order_id", "customer_id", "order_date"]
    assert contract["reviews"]["required"] is False


@pytest.mark.parametrize("module", CONVERTERS, ids=lambda module: module.__name__.split(".")[-1])
def test_every_converter_documents_its_api_and_cli(module) -> None:
    """The module docstring gives the command line and convert()'s signature and result."""
    name = Path(module.__file__).name
    assert f"python scripts/onboarding/{name} " in module.__doc__
    assert "convert(source, out_dir) -> {" in " ".join(module.__doc__.split())
    assert "Invented" in module.__doc__ or "Nothing is invented" in module.__doc__
    assert "Left for the project's validation" in module.__doc__


# ------------------------------------------------------------------------- inline samples

RETAIL = """\
"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"
"546306","21733","RED HANGING HEART",2,"2011-03-10 16:16:00",2.95,NA,"United Kingdom"
"C546307","21733","RED HANGING HEART",-2,"2011-03-10 17:00:00",2.95,12621.0,"Germany"

"572516","22336","damaged",-71,"2011-10-24 14:45:00",0,nan,"United Kingdom"
"536365","POST","POSTAGE",1,12/1/2010 8:26,18,12621,"France"
"536366","POST","",1,"2010-12-01 09:00:00",18.00, NULL ,"France"
"536367","85123A","HEART",6,"2010-12-01 09:30:00",2.55,17850.0,"United Kingdom"
"536367","85123A","HEART",6,"2010-12-01 09:30:00",2.55,17850.0,"United Kingdom"
"""


def test_online_retail_sample(tmp_path: Path) -> None:
    """Guest tokens (NA, nan, NULL, any case, blanks around) -> guest; float ids lose ".0";
    cancellations stay orders with negative quantities; the UCI month-first date becomes ISO;
    an integer price gets its decimal point; copies and zero prices are left to the project;
    the customer's country is its most frequent one (here a tie: alphabetical first)."""
    source = write_bytes(tmp_path / "retail.csv", RETAIL, bom=True, crlf=True)
    counts = online_retail.convert(source, tmp_path / "out")
    assert counts == {"transactions": 7, "customers": 2}
    assert_contract(tmp_path / "out", counts)
    assert rows(tmp_path / "out" / "transactions.csv") == [
        online_retail.TRANSACTION_COLUMNS,
        ["546306", "", "2011-03-10 16:16:00", "21733", "2", "2.95", "RED HANGING HEART"],
        ["C546307", "12621", "2011-03-10 17:00:00", "21733", "-2", "2.95", "RED HANGING HEART"],
        ["572516", "", "2011-10-24 14:45:00", "22336", "-71", "0.00", "damaged"],
        ["536365", "12621", "2010-12-01 08:26:00", "POST", "1", "18.00", "POSTAGE"],
        ["536366", "", "2010-12-01 09:00:00", "POST", "1", "18.00", ""],
        ["536367", "17850", "2010-12-01 09:30:00", "85123A", "6", "2.55", "HEART"],
        ["536367", "17850", "2010-12-01 09:30:00", "85123A", "6", "2.55", "HEART"],
    ]
    assert rows(tmp_path / "out" / "customers.csv") == [
        ["customer_id", "country"],
        ["12621", "France"],
        ["17850", "United Kingdom"],
    ]


def test_online_retail_customer_ids() -> None:
    assert online_retail.GUEST_TOKENS == {"", "NA", "NAN", "NULL"}
    cleaned = [online_retail.clean_customer_id(v) for v in ["na", " ", "NaN", "Null", "None"]]
    assert cleaned == ["", "", "", "", "None"]
    assert online_retail.clean_customer_id("17850.0") == "17850"
    assert online_retail.clean_customer_id("A17.0") == "A17.0"
    assert online_retail.clean_customer_id("00042") == "00042"


def test_online_retail_dates_and_prices() -> None:
    assert online_retail.iso_timestamp("12/9/2011 12:50") == "2011-12-09 12:50:00"
    assert online_retail.iso_timestamp("1/12/2011 8:05:09") == "2011-01-12 08:05:09"
    assert online_retail.iso_timestamp("10.03.2011 16:16") == "10.03.2011 16:16"
    assert online_retail.decimal_text(" 0 ") == "0.00"
    assert online_retail.decimal_text("2,95") == "2,95"


KAGGLE = (
    "Member_number,Date,itemDescription\n"
    "1808,21-07-2015,tropical fruit\n"
    "1808,21-07-2015,whole milk\n"
    "1808,21-07-2015,whole milk\n"
    "1808,05-01-2015,cream cheese \n"
    "2552,21-07-2015,cream cheese\n"
    "2552,31-02-2015,whole milk\n"
)


def test_kaggle_groceries_sample(tmp_path: Path) -> None:
    """Basket = member + date; a repeated row is a second unit; names trimmed; dd-mm-yyyy ->
    ISO, a date that does not exist passed on for the project to reject; price 1.00."""
    source = write_bytes(tmp_path / "groceries.csv", KAGGLE, bom=True, crlf=True)
    counts = kaggle_groceries.convert(source, tmp_path / "out")
    assert counts == {"transactions": 5}
    assert rows(tmp_path / "out" / "transactions.csv") == [
        kaggle_groceries.TRANSACTION_COLUMNS,
        ["1808-2015-07-21", "1808", "2015-07-21", "tropical fruit", "1", "1.00", "tropical fruit"],
        ["1808-2015-07-21", "1808", "2015-07-21", "whole milk", "2", "1.00", "whole milk"],
        ["1808-2015-01-05", "1808", "2015-01-05", "cream cheese", "1", "1.00", "cream cheese"],
        ["2552-2015-07-21", "2552", "2015-07-21", "cream cheese", "1", "1.00", "cream cheese"],
        ["2552-31-02-2015", "2552", "31-02-2015", "whole milk", "1", "1.00", "whole milk"],
    ]


ARULES = """\
citrus fruit,semi-finished bread,margarine
whole milk

pip fruit,cream cheese ,pip fruit
whole milk,,butter

"""


def test_arules_groceries_sample(tmp_path: Path) -> None:
    """One guest order per non-blank line, id = line number, the constant date; an item twice
    in a basket -> quantity 2; an empty item is written for the project to reject."""
    source = write_bytes(tmp_path / "groceries.csv", ARULES, crlf=True)
    counts = arules_groceries.convert(source, tmp_path / "out")
    assert counts == {"orders": 4, "order_items": 9}
    assert_contract(tmp_path / "out", counts)
    assert rows(tmp_path / "out" / "orders.csv") == [
        ["order_id", "customer_id", "order_date"],
        ["1", "", "2000-01-01"],
        ["2", "", "2000-01-01"],
        ["4", "", "2000-01-01"],
        ["5", "", "2000-01-01"],
    ]
    assert rows(tmp_path / "out" / "order_items.csv")[1:] == [
        ["1", "citrus fruit", "1", "1.00"],
        ["1", "semi-finished bread", "1", "1.00"],
        ["1", "margarine", "1", "1.00"],
        ["2", "whole milk", "1", "1.00"],
        ["4", "pip fruit", "2", "1.00"],
        ["4", "cream cheese", "1", "1.00"],
        ["5", "whole milk", "1", "1.00"],
        ["5", "", "1", "1.00"],
        ["5", "butter", "1", "1.00"],
    ]


BAKERY = (
    "Date,Time,Transaction,Item\n"
    "30-10-2016,09:58:11,1,Bread\n"
    "30-10-2016,10:05:34,2,Scandinavian\n"
    "30-10-2016,10:05:34,2,Scandinavian\n"
    "30-10-2016,10:05:34,2,NONE\n"
    "30-10-2016,10:07:57,3,NONE\n"
    "31-10-2016,10:08:41,4,Coffee granules \n"
    "\n"
    "2016-11-01,10:10:00,5,Bread\n"
)


def test_bakery_sample(tmp_path: Path) -> None:
    """The "NONE" rows are dropped and counted (a basket of nothing else disappears); a
    repeated row is a second unit; Date + Time -> ISO timestamp; guests; price 1.00; an ISO
    date is kept."""
    source = write_bytes(tmp_path / "bakery.csv", BAKERY, bom=True, crlf=True)
    counts = bakery.convert(source, tmp_path / "out")
    assert counts == {"transactions": 4, "dropped_none_items": 2}
    assert_contract(tmp_path / "out", counts)
    assert rows(tmp_path / "out" / "transactions.csv") == [
        bakery.TRANSACTION_COLUMNS,
        ["1", "", "2016-10-30 09:58:11", "Bread", "1", "1.00", "Bread"],
        ["2", "", "2016-10-30 10:05:34", "Scandinavian", "2", "1.00", "Scandinavian"],
        ["4", "", "2016-10-31 10:08:41", "Coffee granules", "1", "1.00", "Coffee granules"],
        ["5", "", "2016-11-01 10:10:00", "Bread", "1", "1.00", "Bread"],
    ]


ALEXA = (
    "rating\tdate\tvariation\tverified_reviews\tfeedback\n"
    "5\t31-Jul-18\tCharcoal Fabric \tLove my Echo!\t1\n"
    '4\t1-Jul-18\tBlack  Dot\t"Said ""hi"", then\tsome; a, b"\t1\n'
    "3\t16-May-18\tWhite\t \t1\n"
    "5\t31-Jul-18\tCharcoal Fabric \tLove my Echo!\t1\n"
    "2\t2-Jun-18\tWhite\t \t0\n"
)


def test_amazon_alexa_sample(tmp_path: Path) -> None:
    """BOM, CRLF, TSV with CSV quoting; d-Mon-yy -> ISO; variation blanks collapsed; a copy of
    a row shares its review and order id (the project drops it as a duplicate); blank texts
    kept; one guest order of the variant per review, dated on the review, price 1.00."""
    source = write_bytes(tmp_path / "alexa.tsv", ALEXA, bom=True, crlf=True)
    counts = amazon_alexa.convert(source, tmp_path / "out")
    assert counts == {"orders": 5, "order_items": 5, "reviews": 5}
    assert_contract(tmp_path / "out", counts)
    assert rows(tmp_path / "out" / "reviews.csv") == [
        ["review_id", "product_id", "review_date", "rating", "review_text"],
        ["1", "Charcoal Fabric", "2018-07-31", "5", "Love my Echo!"],
        ["2", "Black Dot", "2018-07-01", "4", 'Said "hi", then\tsome; a, b'],
        ["3", "White", "2018-05-16", "3", " "],
        ["1", "Charcoal Fabric", "2018-07-31", "5", "Love my Echo!"],
        ["5", "White", "2018-06-02", "2", " "],
    ]
    assert rows(tmp_path / "out" / "orders.csv")[1:] == [
        ["1", "", "2018-07-31"],
        ["2", "", "2018-07-01"],
        ["3", "", "2018-05-16"],
        ["1", "", "2018-07-31"],
        ["5", "", "2018-06-02"],
    ]
    assert rows(tmp_path / "out" / "order_items.csv")[1:3] == [
        ["1", "Charcoal Fabric", "1", "1.00"],
        ["2", "Black Dot", "1", "1.00"],
    ]
    assert amazon_alexa.iso_date("31-Foo-18") == "31-Foo-18"


VADER = (
    "1_1\t-0.9\ttroubleshooting ad-2500 and ad-2600 no picture.\n"
    '1_2\t1.5\t"quoted" start, a\ttab and trailing blanks  \n'
    "\n"
    "2\t0\t\n"
)


def test_vader_groundtruth_sample(tmp_path: Path) -> None:
    """CRLF, BOM, no quoting (quotes and tabs of the text kept), blank lines skipped, the human
    mean in an extra column, one invented order in the flat layout."""
    source = write_bytes(tmp_path / "x_GroundTruth.txt", VADER, bom=True, crlf=True)
    counts = vader_groundtruth.convert(source, tmp_path / "out")
    assert counts == {"transactions": 1, "reviews": 3}
    assert_contract(tmp_path / "out", counts)
    assert rows(tmp_path / "out" / "reviews.csv") == [
        ["review_id", "review_text", "human_sentiment_mean"],
        ["1_1", "troubleshooting ad-2500 and ad-2600 no picture.", "-0.9"],
        ["1_2", '"quoted" start, a\ttab and trailing blanks  ', "1.5"],
        ["2", "", "0"],
    ]
    assert rows(tmp_path / "out" / "transactions.csv")[1:] == [
        ["placeholder", "", "2000-01-01", "placeholder", "1", "1.00"]
    ]
    bad = write_bytes(tmp_path / "bad.txt", "1\tno text column\n")
    with pytest.raises(ValueError, match=r"bad.txt:1: expected"):
        vader_groundtruth.convert(bad, tmp_path / "bad")


@pytest.mark.parametrize(
    ("module", "sample", "expected"),
    [
        (online_retail, RETAIL, "transactions: 7 rows, customers: 2 rows"),
        (kaggle_groceries, KAGGLE, "transactions: 5 rows"),
        (arules_groceries, ARULES, "orders: 4 rows, order_items: 9 rows"),
        (bakery, BAKERY, "transactions: 4 rows, dropped_none_items: 2 rows"),
        (amazon_alexa, ALEXA, "orders: 5 rows, order_items: 5 rows, reviews: 5 rows"),
        (vader_groundtruth, VADER, "transactions: 1 rows, reviews: 3 rows"),
    ],
    ids=[
        "online_retail",
        "kaggle_groceries",
        "arules_groceries",
        "bakery",
        "amazon_alexa",
        "vader",
    ],
)
def test_command_line(tmp_path: Path, module, sample: str, expected: str) -> None:
    """`python scripts/onboarding/<name>.py SOURCE OUT_DIR`, run from anywhere."""
    source = write_bytes(tmp_path / "source.txt", sample)
    completed = subprocess.run(
        [sys.executable, module.__file__, str(source), str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.strip() == expected


def test_run_converter_passes_both_paths_and_prints_the_counts(tmp_path: Path, capsys) -> None:
    calls = []

    def convert(source: Path, out_dir: Path) -> dict[str, int]:
        calls.append((source, out_dir))
        return {"orders": 2, "order_items": 3}

    run_converter(convert, "Convert x.\n\nDetails.", "x.csv", ["a.csv", str(tmp_path)])
    assert calls == [(Path("a.csv"), tmp_path)]
    assert capsys.readouterr().out == "orders: 2 rows, order_items: 3 rows\n"


def test_run_converter_usage_names_both_arguments(capsys) -> None:
    """Too few arguments exit with status 2 and the usage; --help shows the docstring's line."""

    def convert(source: Path, out_dir: Path) -> dict[str, int]:
        raise AssertionError("convert() must not run on bad arguments")

    with pytest.raises(SystemExit) as too_few:
        run_converter(convert, "Convert x.\n\nDetails.", "x.csv", ["a.csv"])
    assert too_few.value.code == 2
    assert "source out_dir" in capsys.readouterr().err
    with pytest.raises(SystemExit) as shown:
        run_converter(convert, "Convert x.\n\nDetails.", "the x export", ["--help"])
    assert shown.value.code == 0
    help_text = capsys.readouterr().out
    assert "Convert x." in help_text and "Details." not in help_text
    assert "the x export" in help_text


# --------------------------------------------------------------------------- real files


@pytest.mark.shared
@pytest.mark.parametrize(
    "name", ["online_retail_random20k.csv", "online_retail_first10k_clean.csv"]
)
def test_online_retail_real(tmp_path: Path, name: str) -> None:
    """Row for row: order, product, quantity and price as in the source, guests where the
    source says NA, one customer row per customer; the first 10k file's published shape:
    521 invoices, 390 customers, 6 days."""
    source = shared_dataset(f"online_retail/{name}")
    counts = online_retail.convert(source, tmp_path / "out")
    files = assert_contract(tmp_path / "out", counts)
    raw = read(source)
    lines = files["transactions"]
    assert len(lines) == len(raw) == {"online_retail_random20k.csv": 20000}.get(name, 10000)
    assert (lines["order_id"] == raw["InvoiceNo"]).all()
    assert (lines["product_id"] == raw["StockCode"]).all()
    assert (lines["quantity"] == raw["Quantity"]).all()
    assert np.array_equal(lines["unit_price"].astype(float), raw["UnitPrice"].astype(float))
    assert (lines["order_date"] == raw["InvoiceDate"]).all()
    assert ((lines["customer_id"] == "") == (raw["CustomerID"] == "NA")).all()
    customers = raw.loc[raw["CustomerID"] != "NA", "CustomerID"].astype(float).astype(int)
    assert sorted(files["customers"]["customer_id"].astype(int)) == sorted(set(customers))
    cancelled = lines["order_id"].str.startswith("C")
    assert (lines.loc[cancelled, "quantity"].astype(int) < 0).all()
    if name == "online_retail_first10k_clean.csv":
        assert lines["order_id"].nunique() == 521
        assert lines["customer_id"].nunique() == 390 == len(files["customers"])
        assert lines["order_date"].str[:10].nunique() == 6
    else:
        assert cancelled.sum() == 350 and (lines["customer_id"] == "").sum() == 5078


@pytest.mark.shared
def test_kaggle_groceries_real(tmp_path: Path) -> None:
    """38,765 source rows (= the units), 3,898 members, 167 items, 2014-01-01..2015-12-30;
    the published figures: 14,963 baskets, whole milk in 2,363 of them."""
    source = shared_dataset("groceries_kaggle/Groceries_dataset.csv")
    counts = kaggle_groceries.convert(source, tmp_path / "out")
    lines = assert_contract(tmp_path / "out", counts)["transactions"]
    assert lines["quantity"].astype(int).sum() == 38765
    assert lines["customer_id"].nunique() == 3898
    assert lines["product_id"].nunique() == 167
    assert (lines["order_date"].min(), lines["order_date"].max()) == ("2014-01-01", "2015-12-30")
    assert lines["order_id"].nunique() == 14963
    assert lines.loc[lines["product_id"] == "whole milk", "order_id"].nunique() == 2363
    assert not lines[["order_id", "product_id"]].duplicated().any()


@pytest.mark.shared
def test_arules_groceries_real(tmp_path: Path) -> None:
    """9,835 baskets, 169 items, every item of every line; the published top rule's counts:
    {herbs} => {root vegetables} support 0.0070158 (69 baskets), confidence 0.43125 (herbs in
    160), lift 3.9565 (root vegetables in 1,072)."""
    source = shared_dataset("groceries_arules/groceries.csv")
    counts = arules_groceries.convert(source, tmp_path / "out")
    files = assert_contract(tmp_path / "out", counts)
    orders, items = files["orders"], files["order_items"]
    assert len(orders) == orders["order_id"].nunique() == 9835
    assert items["product_id"].nunique() == 169
    text_lines = source.read_text().splitlines()
    assert len(items) == sum(len(line.split(",")) for line in text_lines if line)
    assert (items["quantity"] == "1").all() and (orders["customer_id"] == "").all()
    baskets = items.groupby("product_id")["order_id"].agg(set)
    herbs, roots = baskets["herbs"], baskets["root vegetables"]
    assert (len(herbs), len(roots), len(herbs & roots)) == (160, 1072, 69)
    assert len(herbs & roots) / 9835 == pytest.approx(0.0070158, abs=5e-8)
    assert len(herbs & roots) / len(herbs) / (len(roots) / 9835) == pytest.approx(3.9565, abs=5e-5)


@pytest.mark.shared
def test_bakery_real(tmp_path: Path) -> None:
    """21,293 source rows = units written + 786 "NONE" rows dropped; 9,465 baskets; guests."""
    source = shared_dataset("bakery_breadbasket/BreadBasket_DMS.csv")
    counts = bakery.convert(source, tmp_path / "out")
    lines = assert_contract(tmp_path / "out", counts)["transactions"]
    assert counts["dropped_none_items"] == 786
    assert lines["quantity"].astype(int).sum() + counts["dropped_none_items"] == 21293
    assert lines["order_id"].nunique() == 9465
    assert "NONE" not in set(lines["product_id"]) and (lines["customer_id"] == "").all()
    assert not lines[["order_id", "product_id"]].duplicated().any()
    assert lines.groupby("order_id")["order_date"].nunique().max() == 1


@pytest.mark.shared
def test_amazon_alexa_real(tmp_path: Path) -> None:
    """3,150 reviews, each with its guest order and line; copies share an id (714 rows repeat
    an earlier one), 79 blank texts kept; ratings 1-5; dates of 2018; 16 variants."""
    source = shared_dataset("amazon_alexa/amazon_alexa.tsv")
    counts = amazon_alexa.convert(source, tmp_path / "out")
    files = assert_contract(tmp_path / "out", counts)
    reviews = files["reviews"]
    raw = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(reviews) == len(raw) == 3150
    assert reviews.duplicated().sum() == raw.duplicated().sum() == 714
    assert reviews["review_id"].nunique() == 3150 - 714
    assert (reviews["review_text"] == raw["verified_reviews"]).all()
    assert (reviews["review_text"].str.strip() == "").sum() == 79
    assert set(reviews["rating"]) == {"1", "2", "3", "4", "5"}
    assert reviews["review_date"].between("2018-05-16", "2018-07-31").all()
    assert reviews["product_id"].nunique() == 16
    orders, items = files["orders"], files["order_items"]
    assert (orders["order_id"] == reviews["review_id"]).all()
    assert (orders["order_date"] == reviews["review_date"]).all()
    assert (items["product_id"] == reviews["product_id"]).all()


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "count", "vader_r"),
    [("amazonReviewSnippets", 3708, 0.59), ("tweets", 4200, 0.87)],
)
def test_vader_groundtruth_real(tmp_path: Path, name: str, count: int, vader_r: float) -> None:
    """3,708 amazon snippets / 4,200 tweets, unique ids; the texts and human means as written:
    vaderSentiment's compound on the converted texts correlates with the converted means as
    the datasets' README says (about 0.59 and 0.87)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    source = shared_dataset(f"vader_groundtruth/{name}_GroundTruth.txt")
    counts = vader_groundtruth.convert(source, tmp_path / "out")
    reviews = assert_contract(tmp_path / "out", counts)["reviews"]
    assert len(reviews) == reviews["review_id"].nunique() == count
    analyzer = SentimentIntensityAnalyzer()
    compound = [analyzer.polarity_scores(text)["compound"] for text in reviews["review_text"]]
    r = np.corrcoef(compound, reviews["human_sentiment_mean"].astype(float))[0, 1]
    assert r == pytest.approx(vader_r, abs=0.01)


@pytest.mark.parametrize(
    ("master", "transactions", "customers"), [(False, 6919, 2357), (True, 69659, 23570)]
)
def test_cdnow_files_of_the_lifetimes_wheel(
    tmp_path: Path, master: bool, transactions: int, customers: int
) -> None:
    """Both CDNOW files shipped with lifetimes: the sample (with a sample-id column) and the
    master file (a header line, no sample id): one order per transaction, every customer of
    the published cohort (Fader & Hardie: 2,357 in the 1/10 sample, 23,570 in all)."""
    from scripts.onboarding import cdnow

    counts = cdnow.convert(tmp_path, master=master)
    assert counts == {"orders": transactions, "order_items": transactions}
    orders = pd.read_csv(tmp_path / "orders.csv", dtype=str)
    assert orders["customer_id"].nunique() == customers
    assert orders["order_date"].min() == "1997-01-01" and orders["order_date"].max() <= "1998-06-30"
    items = pd.read_csv(tmp_path / "order_items.csv", dtype=str)
    assert items["unit_price"].astype(float).sum() > 0
