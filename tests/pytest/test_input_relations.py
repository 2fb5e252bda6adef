"""Relations mode (var input_schema): the inputs are tables of a schema, read as text the way
files are, so typed tables give the same marts as the same data in files.

- The generated data, normalized (every optional input) and flat (one transactions table), as
  typed DuckDB tables: every mart equals the one built from the files (the session's builds)
  (mart_equality.py says what may differ: the reason of rows whose value a typed column
  cannot hold, the audit's source_row_number, float last bits). The bundled sample as typed
  tables is the integration_tests consumer's build, compared in test_integration_tests.py.
- Each typed column reaches staging as the text a file would hold, also with the format vars
  of a European export set (day-first date_formats, decimal commas).
- Bad inputs fail before any node runs, with a message naming the relation and the column.

The equality builds are `dbt run` (models only): their data tests would check marts equal to
ones whose tests the session's file builds already ran.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import dbt_launcher
import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun, run_dbt
from harness import dbt_env
from mart_equality import MARTS, mart_differences, write_typed_tables

#: vars of every relations build here (publishing is not what these tests look at).
RELATIONS_VARS = {"input_schema": "shop", "publish_marts": False}


def _relations_run(work_dir: Path, data_dir: Path) -> DbtRun:
    """`dbt run` on the inputs of data_dir written as typed tables of the schema shop."""
    work_dir.mkdir(parents=True, exist_ok=True)
    write_typed_tables(work_dir / "crm.duckdb", "shop", data_dir)
    return run_dbt(["run"], work_dir, RELATIONS_VARS).check()


@pytest.fixture(scope="module")
def generated_relations_run(
    generated_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> DbtRun:
    return _relations_run(tmp_path_factory.mktemp("generated_relations"), generated_data)


@pytest.fixture(scope="module")
def flat_files_build(dataset_build: Callable[[str], DbtRun]) -> DbtRun:
    """The session's build of the generated orders as one flat transactions.parquet."""
    return dataset_build("generated_flat_parquet_orders_only").check()


@pytest.fixture(scope="module")
def flat_relations_run(
    flat_files_build: DbtRun, tmp_path_factory: pytest.TempPathFactory
) -> DbtRun:
    return _relations_run(
        tmp_path_factory.mktemp("flat_relations"), flat_files_build.work_dir / "data"
    )


def _assert_same_marts(files: DbtRun, tables: DbtRun) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach '{files.db_path}' as files (read_only)")
        con.execute(f"attach '{tables.db_path}' as tables (read_only)")
        built = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = 'tables'"
            ).fetchall()
        }
        assert set(MARTS) <= built, f"marts not built from tables: {set(MARTS) - built}"
        problems = [
            problem
            for mart in MARTS
            for problem in mart_differences(con, mart, f"files.main.{mart}", f"tables.main.{mart}")
        ]
    assert not problems, "\n".join(problems)


def test_generated_normalized_tables_give_the_marts_of_files(
    generated_build: DbtRun, generated_relations_run: DbtRun
) -> None:
    _assert_same_marts(generated_build, generated_relations_run)
    # The marts are not trivially equal: the tables held rows the validation rejects.
    rejected = generated_relations_run.scalar(
        "select count(*) from audit_rejected_rows where reason = 'quantity: missing'"
    )
    assert rejected > 0


def test_generated_flat_tables_give_the_marts_of_files(
    flat_files_build: DbtRun, flat_relations_run: DbtRun
) -> None:
    _assert_same_marts(flat_files_build, flat_relations_run)
    inputs = flat_relations_run.rows(
        "select input_name from audit_input_reconciliation where rows_read > 0 order by 1"
    )
    assert inputs == [("transactions",)]


# --- Typed columns reach staging as file text --------------------------------------------

#: One shop's tables with a type per column that a file holds as text; a European export's
#: vars (day-first dates, decimal commas) are set, which typed columns must not be read with.
TYPED_TABLES_SQL = """
    create schema shop;
    create table shop.orders as select * from (values
        (1001, '00042', timestamptz '2024-03-01 10:00:00+02', {'note': 'ignored'}),
        (999, null, timestamptz '2024-02-29 23:30:00+00', {'note': 'ignored'}),
        (1002, '00043', timestamptz '2024-03-02 00:00:00+00', {'note': 'ignored'})
    ) as t("ORDER_ID", customer_id, order_date, extra_struct);
    create table shop.order_lines_table as select * from (values
        (1001, 7, cast(2.5 as decimal(10, 3)), cast(2.95 as float)),
        (1002, 7, cast(-1 as decimal(10, 3)), cast(1234.5 as float)),
        (999, 8, cast(1 as decimal(10, 3)), cast(0.1 as float))
    ) as t(order_id, product_id, quantity, unit_price);
    create view shop.order_lines as select * from shop.order_lines_table;
    create table shop.products as select * from (values
        (7, 'Tea', cast(1234.5 as double)), (8, 'Mug', cast(1e-05 as double))
    ) as t(product_id, product_name, list_price);
    create table shop.reviews as select * from (values
        (uuid '00000000-0000-0000-0000-000000000001', timestamp '2024-03-05 18:00:00',
         cast(4 as tinyint), 'Lovely tea', cast(42 as double))
    ) as t(review_id, review_date, rating, review_text, customer_id);
"""
EUROPEAN_VARS = {"date_formats": ["%d/%m/%Y %H:%M"], "decimal_separator": ","}
#: vars of the small-input runs below (the same for all, so that they share one parse)
SMALL_VARS = {**RELATIONS_VARS, **EUROPEAN_VARS, "input_tables": {"order_items": "order_lines"}}


class SmallInputs:
    """dbt runs on small hand-made tables, one after the other on one database path and one
    target folder: every run after the first reuses the first one's parse (dbt's partial
    parsing: same project, vars and profile), a few seconds instead of a full parse."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.db_path = work_dir / "crm.duckdb"

    def run(
        self, args: list[str], setup_sql: str, dbt_vars: dict | None = None, artifacts: bool = False
    ) -> DbtRun:
        for stale in (self.db_path, self.db_path.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
        if setup_sql:
            with duckdb.connect(str(self.db_path)) as con:
                con.execute(setup_sql)
        env = dbt_env(self.work_dir, str(self.db_path), partial_parse=True, artifacts=artifacts)
        command = [*args, "--vars", json.dumps(dbt_vars or SMALL_VARS)]
        returncode, output = dbt_launcher.run(command, env, PROJECT_DIR)
        return DbtRun(returncode, output, self.db_path)


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory: pytest.TempPathFactory) -> SmallInputs:
    return SmallInputs(tmp_path_factory.mktemp("small_inputs"))


@pytest.fixture(scope="module")
def typed_staging(small_inputs: SmallInputs) -> DbtRun:
    """Staging only, on the shop's typed tables, with the European vars (a copy of the
    database, which the runs of bad inputs replace)."""
    run = small_inputs.run(
        ["run", "--select", "path:models/staging"], TYPED_TABLES_SQL, artifacts=True
    ).check()
    return run.copy_to(small_inputs.work_dir / "typed")


def test_typed_orders_read_as_iso_text_in_utc(typed_staging: DbtRun) -> None:
    rows = typed_staging.rows(
        "select order_id, customer_id, ordered_at, order_date, order_date_raw,"
        " source_row_number from stg_crm__orders order by source_row_number"
    )
    assert rows == [
        # numbered by their text, nulls first: '1001' < '1002' < '999'
        (
            "1001",
            "00042",
            dt.datetime(2024, 3, 1, 8),
            dt.date(2024, 3, 1),
            "2024-03-01 08:00:00",
            1,
        ),
        ("1002", "00043", dt.datetime(2024, 3, 2), dt.date(2024, 3, 2), "2024-03-02 00:00:00", 2),
        (
            "999",
            None,
            dt.datetime(2024, 2, 29, 23, 30),
            dt.date(2024, 2, 29),
            "2024-02-29 23:30:00",
            3,
        ),
    ]


def test_typed_numbers_keep_their_value_with_decimal_commas(typed_staging: DbtRun) -> None:
    lines = typed_staging.rows(
        "select order_id, product_id, quantity, unit_price, quantity_raw, unit_price_raw"
        " from stg_crm__order_items order by order_id"
    )
    assert lines == [
        ("1001", "7", Decimal("2.500"), Decimal("2.9500"), "2,500", "2,95"),
        ("1002", "7", Decimal("-1.000"), Decimal("1234.5000"), "-1,000", "1234,5"),
        ("999", "8", Decimal("1.000"), Decimal("0.1000"), "1,000", "0,1"),
    ]
    products = typed_staging.rows(
        "select product_id, list_price, list_price_raw from stg_crm__products order by 1"
    )
    assert products == [("7", Decimal("1234.5000"), "1234,5"), ("8", Decimal("0.0000"), "1e-05")]


def test_typed_reviews_and_absent_inputs(typed_staging: DbtRun) -> None:
    reviews = typed_staging.rows(
        "select review_id, review_date, rating, review_text, customer_id from stg_crm__reviews"
    )
    assert reviews == [
        # a whole DOUBLE id (pandas' float64 for integers with missing values) as an integer
        ("00000000-0000-0000-0000-000000000001", dt.date(2024, 3, 5), 4.0, "Lovely tea", "42")
    ]
    # No customers table: zero rows, as a missing optional file; flat input: none.
    assert typed_staging.scalar("select count(*) from stg_crm__customers") == 0
    assert typed_staging.scalar("select count(*) from stg_crm__transactions") == 0


def test_lineage_shows_the_input_tables(typed_staging: DbtRun) -> None:
    manifest = typed_staging.manifest()
    source = manifest["sources"]["source.crm_mining.crm.order_items"]
    assert (source["database"], source["schema"], source["identifier"]) == (
        "crm",
        "shop",
        "order_lines",
    )
    staging = manifest["nodes"]["model.crm_mining.stg_crm__order_items"]
    assert staging["depends_on"]["nodes"] == ["source.crm_mining.crm.order_items"]
    # The bundled sample is not the input: its seeds are not even in the project.
    assert not [uid for uid in manifest["nodes"] if uid.startswith("seed.")]


# --- Bad inputs ----------------------------------------------------------------------------

BAD_INPUTS = {
    "schema-missing": (
        "",
        {},
        "crm_mining input: schema 'crm.shop' (var input_schema) does not exist, or the target's"
        " user cannot see it.",
    ),
    "required-table-missing": (
        "create schema shop; create table shop.order_lines (order_id int, product_id int,"
        " quantity int, unit_price double);",
        {},
        "crm_mining input: required table 'crm.shop.orders' not found (normalized layout needs"
        " orders, order_items; another table name: the var input_tables, e.g. {orders:"
        " my_orders}).",
    ),
    "required-column-missing": (
        "create schema shop; create table shop.orders (order_id int, customer_id varchar);"
        " create table shop.order_lines (order_id int, product_id int, quantity int,"
        " unit_price double);",
        {},
        "crm_mining input: table 'crm.shop.orders' lacks required column 'order_date'"
        " (required: order_id, customer_id, order_date; found: order_id, customer_id).",
    ),
    "struct-column": (
        "create schema shop; create table shop.orders (order_id int, customer_id varchar,"
        " order_date struct(d date)); create table shop.order_lines (order_id int,"
        " product_id int, quantity int, unit_price double);",
        {},
        "crm_mining input: column 'order_date' of table 'crm.shop.orders' has type"
        " STRUCT(d DATE), which cannot be read as text",
    ),
    "files-and-tables": (
        "",
        {"data_dir": "/tmp/crm_mining_input_files"},
        "crm_mining input: both data_dir ('/tmp/crm_mining_input_files') and input_schema"
        " ('shop') are set; set one",
    ),
    "files-and-table-names": (
        "",
        {"data_dir": "/tmp/crm_mining_input_files", "input_schema": None},
        "crm_mining input: var input_tables is set but input_schema is not; input_tables is for"
        " the input tables of input_schema (relations mode), and data_dir"
        " ('/tmp/crm_mining_input_files') reads files.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_fails_before_anything_is_built(case: str, small_inputs: SmallInputs) -> None:
    setup_sql, extra_vars, message = BAD_INPUTS[case]
    run = small_inputs.run(["build"], setup_sql, {**SMALL_VARS, **extra_vars})
    assert not run.ok
    assert message in " ".join(run.output.split()), run.output[-3000:]
    with duckdb.connect(str(run.db_path)) as con:
        built = _relations(con)
    setup_tables = [("shop", name) for name in ("order_lines", "orders") if name in setup_sql]
    assert sorted(built) == sorted(setup_tables)  # no view, no table, no seed: nothing built


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " union all select schema_name, view_name from duckdb_views() where not internal"
        " order by all"
    ).fetchall()
