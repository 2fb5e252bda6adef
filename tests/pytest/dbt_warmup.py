"""Imported by dbt_launcher's forkserver: work every dbt invocation would otherwise redo.

dbt validates the project, the profile and every parsed node against a JSON schema that
mashumaro derives from the dataclass the first time a process asks (an lru_cache per class).
Derived in each forked invocation, those schemas cost about 1.1 s of CPU, a third of a small
invocation; derived here once, every child inherits them.

SCHEMA_CLASSES are the classes a parse and a build of this project validate (measured by
wrapping `dbtClassMixin.json_schema` around a `dbt build` of a shared dataset). A class that a
later dbt no longer has is skipped: the invocation then derives what it needs, as before.
"""

from __future__ import annotations

import importlib

SCHEMA_CLASSES = [
    "dbt.adapters.duckdb.credentials.DuckDBCredentials",
    "dbt.artifacts.resources.v1.components.Contract",
    "dbt.artifacts.resources.v1.config.Hook",
    "dbt.artifacts.resources.v1.config.NodeConfig",
    "dbt.artifacts.resources.v1.config.TestConfig",
    "dbt.artifacts.resources.v1.exposure.ExposureConfig",
    "dbt.artifacts.resources.v1.metric.MetricConfig",
    "dbt.artifacts.resources.v1.model.ModelConfig",
    "dbt.artifacts.resources.v1.seed.SeedConfig",
    "dbt.artifacts.resources.v1.semantic_model.SemanticModelConfig",
    "dbt.artifacts.resources.v1.source_definition.SourceConfig",
    "dbt.artifacts.resources.v1.unit_test_definition.UnitTestConfig",
    "dbt.contracts.graph.nodes.GenericTestNode",
    "dbt.contracts.graph.nodes.HookNode",
    "dbt.contracts.graph.nodes.ModelNode",
    "dbt.contracts.graph.nodes.SeedNode",
    "dbt.contracts.graph.unparsed.UnparsedExposure",
    "dbt.contracts.graph.unparsed.UnparsedGroup",
    "dbt.contracts.graph.unparsed.UnparsedMacroUpdate",
    "dbt.contracts.graph.unparsed.UnparsedMetric",
    "dbt.contracts.graph.unparsed.UnparsedModelUpdate",
    "dbt.contracts.graph.unparsed.UnparsedNodeUpdate",
    "dbt.contracts.graph.unparsed.UnparsedSemanticModel",
    "dbt.contracts.graph.unparsed.UnparsedSourceDefinition",
    "dbt.contracts.graph.unparsed.UnparsedUnitTest",
    "dbt.contracts.project.Configuration",
    "dbt.contracts.project.PackageConfig",
    "dbt.contracts.project.ProfileConfig",
    "dbt.contracts.project.Project",
    "dbt.contracts.project.ProjectFlags",
    "dbt.contracts.selection.SelectorFile",
    "dbt.task.test.TestResultData",
    "dbt_common.contracts.constraints.ColumnLevelConstraint",
]


def derive_schemas() -> int:
    """Derive and cache the JSON schema of each SCHEMA_CLASSES class; how many were found."""
    found = 0
    for path in SCHEMA_CLASSES:
        module_name, _, class_name = path.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        cls.json_schema()
        found += 1
    return found


derive_schemas()
