"""Governance and documentation: contracts, descriptions, key tests, semantic layer, docs site."""

from __future__ import annotations

import json

import pytest
from conftest import DbtRun, run_dbt

from crm_mining.governance import check_manifest


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dbt parse` of the project: it also validates the semantic layer (metrics, measures)."""
    work = tmp_path_factory.mktemp("parse")
    run_dbt(["parse"], work).check()
    assert (work / "target" / "semantic_manifest.json").exists()
    return json.loads((work / "target" / "manifest.json").read_text())


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


def test_every_mart_is_published_for_bi_tools(manifest: dict) -> None:
    publisher = next(n for n in manifest["nodes"].values() if n["name"] == "int_marts_published")
    published = {dep.split(".")[-1] for dep in publisher["depends_on"]["nodes"]}
    assert mart_names(manifest) <= published


def test_semantic_layer_defines_the_business_metrics(manifest: dict) -> None:
    metrics = {metric["name"] for metric in manifest["metrics"].values()}
    assert {"revenue", "active_customers"} <= metrics


def test_docs_site_lists_every_mart(sample_build: DbtRun, manifest: dict) -> None:
    work = sample_build.db_path.parent
    run_dbt(["docs", "generate"], work).check()
    assert (work / "target" / "index.html").exists()
    catalog = json.loads((work / "target" / "catalog.json").read_text())
    documented = json.loads((work / "target" / "manifest.json").read_text())
    catalog_tables = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    for name in mart_names(manifest):
        assert name in catalog_tables, f"{name} missing from the docs catalog"
        node = next(n for n in documented["nodes"].values() if n["name"] == name)
        assert node["description"].strip()
