"""Imported by dbt_launcher's forkserver: work every dbt invocation would otherwise redo.

dbt validates the project, the profile and every parsed node against a JSON schema that
mashumaro derives from the dataclass the first time a process asks (an lru_cache per class).
Derived in each forked invocation, those schemas cost about 1.1 s of CPU, a third of a small
invocation; derived here once, every child inherits them.

Every invocation that parses the project also splits each macro file into its blocks and
parses each block with Jinja, parses each macro again to find the macros it calls (dbt's
manifest loader, about a fifth of a parse), then compiles the macros it runs. dbt and
dbt_common keep those for a process that runs many invocations when test caching is on
(`enable_test_caching`, what dbt's own test fixtures turn on): the blocks and Jinja trees by
the exact text they came from, and the compiled macros (`template_cache`, always on) by their
exact source. They are made here once, for every macro file dbt and its adapters ship and
the project's own, with the same calls and arguments as dbt's macro and generic-test parsers
and its manifest loader, so that forked invocations find them. Nothing here starts a thread
or opens a file for writing: the forkserver stays safe to fork.

Last, the forkserver's heap is frozen (`gc.freeze`): Python's collector then leaves the
objects every child inherits (dbt, its adapters, pandas, scikit-learn, the caches above) out
of its full collections. A child that traverses them in each of its own collections also
writes to every page that holds them, copying it from the forkserver: frozen, a whole build
of a shared dataset in a forked child took 10.8 and 12.5 s of CPU instead of 11.9 and 13.7 s,
with a fifth fewer page faults. The children's own objects are collected as before.

SCHEMA_CLASSES are the classes a parse and a build of this project validate (measured by
wrapping `dbtClassMixin.json_schema` around a `dbt build` of a shared dataset). A class that a
later dbt no longer has is skipped: the invocation then derives what it needs, as before.
"""

from __future__ import annotations

import atexit
import gc
import importlib
from pathlib import Path
from types import SimpleNamespace

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


# harness.PROJECT_DIR's value: the forkserver imports this module without the test helpers.
PROJECT_DIR = Path(__file__).resolve().parents[2]
#: The arguments of dbt's calls to extract_toplevel_blocks: the macro parser's
#: (dbt.parser.macros) and the generic test parser's (dbt.parser.generic_test). The blocks
#: are cached by the file's text and these arguments.
MACRO_BLOCKS = {"macro", "materialization", "test", "data_test"}
GENERIC_TEST_BLOCKS = {"test", "data_test"}


def macro_files() -> list[tuple[Path, set[str]]]:
    """Every file dbt may parse macros from, with its parser's blocks: the macros and generic
    tests (tests/generic) of the packages dbt ships (dbt/include: the global project, the
    adapters') and of this project."""
    import dbt.include

    packages = [PROJECT_DIR]
    packages += [path for folder in dbt.include.__path__ for path in Path(folder).iterdir()]
    roots = [(package / "macros", MACRO_BLOCKS) for package in packages]
    roots += [(package / "tests" / "generic", GENERIC_TEST_BLOCKS) for package in packages]
    files = [(path, blocks) for root, blocks in roots for path in root.rglob("*.sql")]
    return sorted(files, key=lambda file: file[0])


def parse_macros() -> int:
    """Split every macro file into blocks, parse and compile each, into dbt_common's caches
    (see the docstring); how many macros were compiled."""
    from dbt.clients.jinja_static import statically_extract_macro_calls
    from dbt_common.clients import jinja
    from dbt_common.tests import enable_test_caching

    enable_test_caching()
    compiled = 0
    for path, allowed_blocks in macro_files():
        # As dbt reads a file (dbt_common.clients.system.load_file_contents, strip=True).
        text = path.read_bytes().decode("utf-8").strip()
        try:
            blocks = jinja.extract_toplevel_blocks(
                text, allowed_blocks=allowed_blocks, collect_raw_data=False
            )
            for block in blocks:
                if isinstance(block, jinja.BlockTag):
                    jinja.parse(block.full_block)
                    macro = SimpleNamespace(macro_sql=block.full_block)
                    jinja.template_cache.get_node_template(macro)
                    # As ManifestLoader.macro_depends_on finds the macros each macro calls (its
                    # Jinja tree is cached by the source; the calls are resolved per parse).
                    statically_extract_macro_calls(block.full_block, {}, None)
                    compiled += 1
        except Exception:  # a file dbt rejects: the invocation that reads it says why
            continue
    return compiled


derive_schemas()
#: How many macros the forkserver parsed and compiled (test_dbt_warmup.py reads it).
COMPILED_MACROS = parse_macros()
# Last, after every import of the forkserver's preload (this module is its last): see above.
gc.collect()
gc.freeze()
# At exit, the objects go back to the collector, which frees them before the modules they
# come from are torn down (DuckDB's bindings report the instances still alive then as leaks).
atexit.register(gc.unfreeze)
