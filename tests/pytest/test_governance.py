"""Governance and documentation: contracts, descriptions, key tests, semantic layer, docs site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_DIR, DbtRun, run_dbt
from oracles.governance import check_manifest


@pytest.fixture(scope="module")
def manifest(sample_build: DbtRun) -> dict:
    """The manifest of the sample's whole build (whose parse also validates the semantic layer:
    metrics and measures)."""
    assert (sample_build.work_dir / "target" / "semantic_manifest.json").exists()
    return sample_build.manifest()


def mart_names(manifest: dict) -> set[str]:
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/marts/")
    }


def test_every_mart_is_public_contracted_described_and_keyed(manifest: dict) -> None:
    assert check_manifest(manifest) == []


def test_governance_check_catches_a_missing_description_and_key_test(manifest: dict) -> None:
    broken = json.loads(json.dumps(manifest))
    node = next(n for n in broken["nodes"].values() if n["name"] == "fct_orders")
    next(iter(node["columns"].values()))["description"] = ""
    mart_id = node["unique_id"]
    broken["nodes"] = {
        key: value
        for key, value in broken["nodes"].items()
        if value["resource_type"] != "test" or value.get("attached_node") != mart_id
    }
    problems = check_manifest(broken)
    assert "fct_orders.order_id: column has no description" in problems
    assert any(p.startswith("fct_orders: no primary-key test") for p in problems)


def test_every_mart_is_published_for_bi_tools(sample_build: DbtRun, manifest: dict) -> None:
    """The on-run-end publication of the whole build: a Parquet file and a view per mart, with
    the mart's rows, and the manifest of what was published."""
    export_dir = sample_build.db_path.parent / "exports"
    marts = mart_names(manifest)
    assert {path.stem for path in export_dir.glob("*.parquet")} == marts
    with duckdb.connect(str(export_dir / "crm_mining_marts.duckdb"), read_only=True) as con:
        views = {row[0] for row in con.execute("select view_name from duckdb_views()").fetchall()}
        assert views >= marts
        for mart in sorted(marts):
            published = con.execute(f'select count(*) from "{mart}"').fetchall()[0][0]
            assert published == sample_build.scalar(f"select count(*) from {mart}"), mart
    listed = pd.read_csv(export_dir / "published_marts_0.csv")
    assert set(listed["mart_name"]) == marts


def test_semantic_layer_defines_the_business_metrics(manifest: dict) -> None:
    metrics = {metric["name"]: metric for metric in manifest["metrics"].values()}
    assert {
        "revenue",
        "active_customers",
        "mean_churn_probability",
        "average_sentiment",
        "rule_lift",
    } <= set(metrics)
    assert metrics["rule_lift"]["type"] == "ratio"
    assert metrics["mean_churn_probability"]["type"] == "ratio"
    assert metrics["average_sentiment"]["type"] == "ratio"
    semantic_models = {
        model["name"]: model["depends_on"]["nodes"]
        for model in manifest["semantic_models"].values()
    }
    assert semantic_models["customers"] == ["model.crm_mining.dim_customers"]
    assert semantic_models["review_sentiment"] == ["model.crm_mining.fct_review_sentiment"]
    assert semantic_models["item_pair_rules"] == ["model.crm_mining.fct_item_pair_associations"]


def test_order_measures_count_purchase_orders_as_rfm_does(
    manifest: dict, sample_build: DbtRun
) -> None:
    """The orders and active-customers metrics count purchase orders only, as RFM does: on the
    sample (every order before as_of_date), the purchase orders of known customers are the sum
    of RFM's frequency and the ordering customers are RFM's rows. Before, returns-only orders
    counted (739 of the sample's 15,428 orders are no purchase)."""
    orders = next(
        model for model in manifest["semantic_models"].values() if model["name"] == "orders"
    )
    measures = {measure["name"]: measure for measure in orders["measures"]}
    metrics = {metric["name"]: metric for metric in manifest["metrics"].values()}
    assert metrics["orders"]["type_params"]["measure"]["name"] == "purchase_order_count"
    assert metrics["active_customers"]["type_params"]["measure"]["name"] == "ordering_customers"

    def measured(name: str, where: str = "true") -> int:
        measure = measures[name]
        assert measure["agg"] == "count_distinct"
        return sample_build.scalar(
            f"select count(distinct {measure['expr']}) from fct_orders where {where}"
        )

    rfm = sample_build.df(
        "select count(*) as customers, sum(frequency) as orders from fct_customer_rfm"
    )
    assert measured("purchase_order_count", "customer_id is not null") == rfm["orders"][0]
    assert measured("ordering_customers") == rfm["customers"][0]
    assert measured("order_count") > measured("purchase_order_count")


def test_exposures_declare_the_dashboards_and_read_only_marts(manifest: dict) -> None:
    marts = mart_names(manifest)
    exposures = {
        exposure["name"]: {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
        for exposure in manifest["exposures"].values()
    }
    assert set(exposures) == {
        "customer_segments_dashboard",
        "churn_risk_dashboard",
        "cross_sell_rules_dashboard",
        "review_sentiment_dashboard",
    }
    for name, reads in exposures.items():
        assert reads and reads <= marts, f"{name} reads non-marts: {reads - marts}"
    assert "fct_customer_churn_scores" in exposures["churn_risk_dashboard"]
    assert "fct_item_pair_associations" in exposures["cross_sell_rules_dashboard"]


def test_docs_site_lists_every_mart(sample_build: DbtRun, manifest: dict, tmp_path: Path) -> None:
    """On a copy of the sample's database and target: catalog generation takes the file's write
    lock, which other workers' read-only connections to the shared build would refuse."""
    docs = run_dbt(
        ["docs", "generate", "--no-compile"],
        sample_build.copy_to(tmp_path / "docs").work_dir,
        artifacts=True,
    ).check()
    assert (docs.work_dir / "target" / "index.html").exists()
    catalog = docs.artifact("catalog.json")
    documented = docs.manifest()
    catalog_tables = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    for name in mart_names(manifest):
        assert name in catalog_tables, f"{name} missing from the docs catalog"
        node = next(n for n in documented["nodes"].values() if n["name"] == name)
        assert node["description"].strip()


def test_marts_carry_their_descriptions_into_the_warehouse(
    sample_build: DbtRun, manifest: dict
) -> None:
    """persist_docs on the marts: a BI tool reading the warehouse sees each mart's and each
    column's description as the docs site has it. Internal layers (protected) keep theirs in
    the docs site only."""
    names = mart_names(manifest)
    marts = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in names
    }
    tables = dict(sample_build.rows("select table_name, comment from duckdb_tables()"))
    columns = {
        (table, column): comment
        for table, column, comment in sample_build.rows(
            "select table_name, column_name, comment from duckdb_columns()"
        )
    }
    for name, node in sorted(marts.items()):
        assert tables[name] == node["description"], name
        for column, spec in node["columns"].items():
            assert columns[(name, column)] == spec["description"], f"{name}.{column}"
    assert tables["int_order_lines_validated"] is None
    assert columns[("int_order_lines_validated", "order_id")] is None


def test_readme_documents_every_var() -> None:
    """Every var of dbt_project.yml is named in the README (its table of vars), so that a var
    added to the project cannot go undocumented where users look first."""
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    readme = (PROJECT_DIR / "README.md").read_text()
    assert len(project_vars) > 40
    assert [name for name in project_vars if f"`{name}`" not in readme] == []


#: The registry of the vars the SQL reads as numbers, and their domains.
VAR_DOMAINS = PROJECT_DIR / "macros" / "validation" / "crm_var_domains.sql"


def unchecked_var_reads(sql: str, name: str) -> int:
    """Reads of var `name` in a SQL file that its check does not wrap: `var('name')`, not
    `crm_checked_var('name')`."""
    return len(re.findall(rf"(?<![\w.])var\('{name}'\)", sql))


def test_the_sql_reads_checked_vars_through_their_check() -> None:
    """Every read of a var of crm_var_domains by a model or a macro goes through
    crm_checked_var, so that no model compiles an unchecked value, and every var read so is in
    the registry."""
    checked = re.findall(r"'(\w+)': \{'kind'", VAR_DOMAINS.read_text())
    assert len(checked) == len(set(checked)) >= 15
    files = [
        path
        for folder in ("models", "macros")
        for path in sorted((PROJECT_DIR / folder).rglob("*.sql"))
    ]
    unchecked = [
        (path.relative_to(PROJECT_DIR).as_posix(), name)
        for path in files
        for name in checked
        if unchecked_var_reads(path.read_text(), name)
    ]
    assert unchecked == []
    read_through_check = {
        name
        for path in files
        for name in re.findall(r"crm_checked_var\('(\w+)'\)", path.read_text())
    }
    assert read_through_check == set(checked)
