"""Governance checks on the dbt manifest: what every public mart must carry.

    python tests/pytest/oracles/governance.py target/manifest.json

A mart (a model under models/marts/, or in the `marts` group) must have: a description; every
column described; an enforced contract; `access: public` and group `marts`; and a primary-key
test (`unique` on a column that is also `not_null`, or `unique_combination_of_columns`). Models
outside the marts must not be public. Exits 1 and lists every problem otherwise.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

PACKAGE = "crm_mining"


def _is_mart(node: dict[str, Any]) -> bool:
    path = node.get("original_file_path", "")
    return path.startswith("models/marts/") or node.get("group") == "marts"


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or "test_metadata" not in node:
            continue
        attached = node.get("attached_node")
        if attached:
            tests[attached].append(node)
    return tests


def _has_primary_key_test(tests: list[dict[str, Any]]) -> bool:
    unique_columns = set()
    not_null_columns = set()
    for test in tests:
        name = test["test_metadata"]["name"]
        column = test.get("column_name")
        if name == "unique_combination_of_columns" or (name == "primary_key" and column):
            return True
        if name == "unique" and column:
            unique_columns.add(column)
        if name == "not_null" and column:
            not_null_columns.add(column)
    return bool(unique_columns & not_null_columns)


def check_manifest(manifest: dict[str, Any]) -> list[str]:
    """Every governance problem of the project's models, as readable lines (empty when clean)."""
    problems: list[str] = []
    tests = _tests_by_model(manifest)
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node["package_name"] != PACKAGE:
            continue
        name = node["name"]
        if not node.get("description", "").strip():
            problems.append(f"{name}: model has no description")
        if not _is_mart(node):
            if node.get("access") == "public":
                problems.append(f"{name}: only marts may be public")
            continue
        if node.get("access") != "public" or node.get("group") != "marts":
            problems.append(f"{name}: a mart must be access: public in group marts")
        if not node.get("config", {}).get("contract", {}).get("enforced"):
            problems.append(f"{name}: a mart must have an enforced contract")
        if not node.get("columns"):
            problems.append(f"{name}: a mart must list its columns")
        for column_name, column in node.get("columns", {}).items():
            if not column.get("description", "").strip():
                problems.append(f"{name}.{column_name}: column has no description")
        if not _has_primary_key_test(tests.get(unique_id, [])):
            problems.append(
                f"{name}: no primary-key test (primary_key, unique + not_null, or a combination)"
            )
    return problems


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "target/manifest.json")
    problems = check_manifest(json.loads(path.read_text()))
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("governance: every mart is public, contracted, described and has a primary-key test")


if __name__ == "__main__":
    main()
