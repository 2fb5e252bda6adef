"""crm_mining installed as a dbt package: the integration_tests/ project on DuckDB.

From a clean copy (consumer.py): `dbt deps` (packages.yml `local: ../`, offline), the setup
operation load_shop_tables (the bundled sample as typed tables of the schema raw_shop: what a
loader leaves in a warehouse), then `dbt build`: every model of crm_mining (SQL and Python),
its data and unit tests, and the project's own model on a crm_mining mart with its tests.

- Everything crm_mining has runs and passes, in the schemas the project chose.
- The sample as typed tables gives the marts of the sample as files (the seeds of
  sample_build), compared as in test_input_relations.py.
- Nothing of the root project's own setup leaks: no sample seeds, no BI exports.
- One area can be selected; `dbt source freshness` checks the tables given a load time.
- The README section on the package shows the consumer's files as they are.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun
from consumer import (
    INTEGRATION_DIR,
    consumer_env,
    consumer_project,
    marked_excerpt,
    readme_blocks,
    run_consumer,
)
from mart_equality import MARTS, mart_differences
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


class Consumer:
    """The consumer project after `dbt deps`, the setup and `dbt build`."""

    def __init__(self, project: Path, env: dict[str, str], build: DbtRun) -> None:
        self.project = project
        self.env = env
        self.build = build

    def dbt(self, *args: str) -> DbtRun:
        return run_consumer(self.project, list(args), self.env)

    def json(self, name: str) -> dict[str, Any]:
        return json.loads((Path(self.env["DBT_TARGET_PATH"]) / name).read_text())


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    work_dir = tmp_path_factory.mktemp("consumer")
    project = consumer_project(work_dir / "checkout")
    env = consumer_env(project, work_dir)
    run_consumer(project, ["deps"], env).check()
    setup_args = json.dumps({"source_dir": str(PROJECT_DIR / "seeds")})
    run_consumer(project, ["run-operation", "load_shop_tables", "--args", setup_args], env).check()
    build = run_consumer(project, ["build"], env).check()
    return Consumer(project, env, build)


def test_deps_installs_this_checkout_offline(consumer: Consumer) -> None:
    installed = consumer.project / "dbt_packages" / "crm_mining"
    assert (installed / "dbt_project.yml").resolve() == (PROJECT_DIR / "dbt_project.yml")
    lock = (consumer.project / "package-lock.yml").read_text()
    assert "local: ../" in lock and "git:" not in lock and "hub" not in lock


def test_build_runs_everything_crm_mining_has(consumer: Consumer) -> None:
    manifest = consumer.json("manifest.json")
    expected = {
        unique_id
        for unique_id, node in {**manifest["nodes"], **manifest["unit_tests"]}.items()
        if node["package_name"] == "crm_mining"
        and node["resource_type"] in ("model", "test", "unit_test")
        # an ephemeral model is no node of its own at run time: its SQL is in its readers'
        and node["config"].get("materialized") != "ephemeral"
    }
    results = {r["unique_id"]: r["status"] for r in consumer.json("run_results.json")["results"]}
    assert expected - results.keys() == set(), "crm_mining nodes the build did not run"
    failed = {uid: results[uid] for uid in expected if results[uid] not in ("success", "pass")}
    assert failed == {}
    kinds = {
        (node["resource_type"], node.get("language"))
        for unique_id, node in manifest["nodes"].items()
        if unique_id in expected
    }
    assert {("model", "sql"), ("model", "python"), ("test", "sql")} <= kinds
    assert any(uid.startswith("unit_test.crm_mining.") for uid in expected)


def _schemas(consumer: Consumer) -> dict[str, set[str]]:
    with duckdb.connect(str(consumer.build.db_path), read_only=True) as con:
        rows = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " union all select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    schemas: dict[str, set[str]] = {}
    for schema, name in rows:
        schemas.setdefault(schema, set()).add(name)
    return schemas


def test_relations_land_in_the_schemas_the_project_chose(consumer: Consumer) -> None:
    schemas = _schemas(consumer)
    assert set(schemas) == {"raw_shop", "main_crm", "main_crm_work", "main_analytics"}
    assert schemas["main_crm"] == set(MARTS)  # the marts, and only they: +schema: crm
    assert schemas["main_analytics"] == {"shop_customer_value_tiers"}
    assert {"stg_crm__orders", "int_order_lines_cleaned", "int_customers_segmented"} <= (
        schemas["main_crm_work"]
    )
    # The input tables are the loader's; no seed of the bundled sample was loaded.
    assert schemas["raw_shop"] == {"orders", "order_lines", "customers", "products", "reviews"}
    # Publishing for BI tools is the root project's default, off in a package.
    assert not (consumer.build.db_path.parent / "exports").exists()
    assert "crm_mining: published" not in consumer.build.output


def test_own_model_on_a_mart_passes_its_tests(consumer: Consumer) -> None:
    results = {r["unique_id"]: r["status"] for r in consumer.json("run_results.json")["results"]}
    own = {uid: s for uid, s in results.items() if "crm_mining_integration_tests" in uid}
    assert own["model.crm_mining_integration_tests.shop_customer_value_tiers"] == "success"
    tests = {uid: s for uid, s in own.items() if uid.startswith("test.")}
    assert len(tests) == 5 and set(tests.values()) == {"pass"}, tests
    # crm_mining's order-level macros agree from order lines and from its order summary.
    assert "test.crm_mining_integration_tests.crm_mining_order_grains_agree" in tests
    # the rule, sentiment and RFM macros the docs offer, called from here, give the marts
    assert "test.crm_mining_integration_tests.crm_mining_macros_from_another_project" in tests
    tiers = consumer.build.rows(
        "select value_tier, customer_count from main_analytics.shop_customer_value_tiers"
    )
    expected = consumer.build.rows(
        "select value_tier, count(*) from main_crm.fct_customer_rfm group by 1"
    )
    assert sorted(tiers) == sorted(expected) and len(tiers) == 3


def test_sample_as_typed_tables_gives_the_marts_of_the_sample_files(
    consumer: Consumer, sample_build: DbtRun
) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach '{sample_build.db_path}' as files (read_only)")
        con.execute(f"attach '{consumer.build.db_path}' as tables (read_only)")
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns()"
                " where database_name = 'tables' and schema_name = 'raw_shop'"
                " and table_name = 'order_lines'"
            ).fetchall()
        )
        assert types["quantity"] == "INTEGER" and types["unit_price"] == "DECIMAL(10,2)"
        problems = [
            problem
            for mart in MARTS
            for problem in mart_differences(
                con, mart, f"files.main.{mart}", f"tables.main_crm.{mart}"
            )
        ]
    assert not problems, "\n".join(problems)


def test_one_area_is_selectable(consumer: Consumer) -> None:
    listed = consumer.dbt(
        "ls", "--select", "+crm_mining.marts.rfm", "--resource-type", "model", "--output", "name"
    ).check()
    names = set(listed.output.split())
    assert {"fct_customer_rfm", "int_customers_rfm_scored", "stg_crm__orders"} <= names
    assert not names & {"fct_customer_segments", "int_customers_segmented", "dim_customers"}
    assert "shop_customer_value_tiers" not in names


def test_source_freshness_of_the_tables_given_a_load_time(consumer: Consumer) -> None:
    """With the README's selector: `source:crm_mining.crm`, which it showed before, selects
    nothing (dbt reads `a.b` as source.table)."""
    consumer.dbt("source", "freshness", "--select", "source:crm").check()
    checked = {
        result["unique_id"]: result["status"] for result in consumer.json("sources.json")["results"]
    }
    assert checked == {
        "source.crm_mining.crm.orders": "pass",
        "source.crm_mining.crm.order_items": "pass",
    }


def test_readme_shows_the_consumer_files() -> None:
    blocks = readme_blocks()
    yaml_blocks = [text for language, text in blocks if language == "yaml"]
    local = [text for text in yaml_blocks if "local: ../" in text]
    assert local == [(INTEGRATION_DIR / "packages.yml").read_text()]
    assert marked_excerpt(INTEGRATION_DIR / "dbt_project.yml") in yaml_blocks
    sql = [text for language, text in blocks if language == "sql"]
    assert sql == [(INTEGRATION_DIR / "models" / "shop_customer_value_tiers.sql").read_text()]
    shell = "".join(text for language, text in blocks if language == "bash")
    assert 'pip install "./dbt_packages/crm_mining[models]"' in shell
    assert "--select +crm_mining.marts.rfm" in shell
    assert "dbt source freshness --select source:crm\n" in shell


def _imported_modules(path: Path, module: str) -> set[str]:
    """Every module an import statement of the file names (function-level imports included),
    and for `from a import b` also a.b (b may be a submodule). module: the file's dotted name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _package_source(module: str) -> Path | None:
    """The file of a crm_mining module in src/ (a module file or a package's __init__.py)."""
    base = PROJECT_DIR.joinpath("src", *module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def third_party_imports_of_the_python_models() -> set[str]:
    """Top-level names of what python_models/ imports that is neither the standard library nor
    crm_mining, following crm_mining imports through src/ (each package's __init__.py too, which
    an import runs)."""
    found: set[str] = set()
    visited: set[str] = set()
    pending = [(path, path.stem) for path in sorted((PROJECT_DIR / "python_models").rglob("*.py"))]
    while pending:
        path, module = pending.pop()
        for name in _imported_modules(path, module):
            parts = name.split(".")
            if parts[0] != "crm_mining":
                if parts[0] not in sys.stdlib_module_names and parts[0] not in {"", "__future__"}:
                    found.add(parts[0])
                continue
            for end in range(1, len(parts) + 1):
                dotted = ".".join(parts[:end])
                source = _package_source(dotted)
                if source is not None and dotted not in visited:
                    visited.add(dotted)
                    pending.append((source, dotted))
    return found


def test_pip_extra_lists_what_the_python_models_import() -> None:
    """The README's pip line installs the extra `models`: this environment satisfies it, and it
    names the distribution of every third-party module the dbt Python models import, directly
    or through crm_mining (scipy comes in through crm_mining.clv only)."""
    extra = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["models"]
    for line in extra:
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            pytest.fail(f"{requirement.name} of the extra is not installed")
        assert requirement.specifier.contains(installed), (line, installed)
    distributions = packages_distributions()
    needed: set[str] = set()
    for name in third_party_imports_of_the_python_models():
        assert name in distributions, f"no installed distribution provides {name}"
        needed.update(canonicalize_name(dist) for dist in distributions[name])
    # The walk reaches the subpackages: these come from crm_mining.clv, .churn and .sentiment.
    assert {"scipy", "scikit-learn", "vadersentiment"} <= needed
    listed = {canonicalize_name(Requirement(line).name) for line in extra}
    assert needed - listed == set(), "add them to the extra `models` of pyproject.toml"


#: The macros the docs offer to other projects (README, docs/*.md "Extending it in SQL",
#: docs/CONTRIBUTING.md); integration_tests/tests calls most of them.
REUSABLE_MACROS = [
    "crm_customer_rfm_features",
    "crm_customer_orders_summarized",
    "crm_clv_summary",
    "crm_rfm_score",
    "crm_rfm_score_on_5",
    "crm_rfm_segment",
    "crm_rfm_value_tier",
    "crm_pair_associations",
    "crm_product_neighbours",
    "crm_neighbour_scores",
    "crm_new_product_lists",
    "crm_blended_lists",
    "crm_buy_again_lists",
    "crm_sentiment_aggregated",
    "crm_exact_avg",
    "crm_wilson_lower_bound",
]


def _macro_bodies() -> dict[str, str]:
    """Each macro of macros/ by name, its Jinja comments left out."""
    bodies = {}
    for path in (PROJECT_DIR / "macros").rglob("*.sql"):
        text = re.sub(r"{#.*?#}", "", path.read_text(), flags=re.S)
        for match in re.finditer(r"{%-?\s*macro\s+(\w+)(.*?){%-?\s*endmacro", text, re.S):
            bodies[match.group(1)] = match.group(2)
    return bodies


def test_reusable_macros_call_the_project_macros_by_their_namespace() -> None:
    """Called from another project, a package macro looks its unqualified calls up in that
    project: crm_pair_associations, crm_rfm_score and crm_sentiment_aggregated failed there
    on crm_type_double and crm_exact_avg. Every macro they reach calls the project's macros
    as crm_mining.<name> (a dispatch names its namespace itself)."""
    bodies = _macro_bodies()
    assert set(REUSABLE_MACROS) <= bodies.keys()
    reached, to_visit, unqualified = set(), list(REUSABLE_MACROS), {}
    while to_visit:
        name = to_visit.pop()
        if name in reached:
            continue
        reached.add(name)
        for match in re.finditer(r"(?<![\w.])(crm\w*|\w+__crm\w*)\s*\(", bodies[name]):
            if match.group(1) in bodies:
                unqualified.setdefault(name, set()).add(match.group(1))
        for called in re.findall(r"crm_mining\.(\w+)\s*\(", bodies[name]):
            to_visit.append(called)
        for dispatched in re.findall(r"adapter\.dispatch\('(\w+)'", bodies[name]):
            to_visit += [f"{prefix}__{dispatched}" for prefix in ("default", "duckdb", "spark")]
        to_visit = [name for name in to_visit if name in bodies]
    assert unqualified == {}
    assert {"crm_type_double", "crm_exact_avg", "crm_popular_not_bought"} <= reached
