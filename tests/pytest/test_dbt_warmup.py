"""The forkserver's warm-up (dbt_warmup.py) makes what dbt's parse of this project asks for.

It is worth its time only if dbt finds in the caches every macro it parses and compiles: the
warm-up must call dbt_common as dbt's parsers do (the same text, the same arguments). A `dbt
parse` of the project runs in a child of the warm forkserver, as every dbt invocation of the
suite does (dbt_launcher.run_python), and every lookup that misses a cache is recorded with
the parser that made it, as is every macro whose calls the manifest loader extracts from a
Jinja tree it has to parse again. (A fresh process that imported dbt_warmup itself took 15 s
of the suite's time; the forked child, a fifth of that.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dbt_launcher
from harness import NO_LOG_FILE, PROJECT_DIR

from crm_mining.bench.common import dbt_env

PARSE_AFTER_WARMUP = r"""
import gc, inspect, json, os
import dbt_warmup
import dbt.parser.manifest as loader
from dbt.clients import jinja_static
from dbt.cli.main import dbtRunner
from dbt_common.clients import jinja

frozen = gc.get_freeze_count()
misses = []
cached_parse, cached_blocks = jinja.parse, jinja.extract_toplevel_blocks
parse_cache = jinja._TESTING_PARSE_CACHE


def caller() -> str:
    return inspect.stack()[2].filename.split("site-packages/")[-1]


def parse(string):
    if str(string) not in parse_cache:
        misses.append(["parse", caller()])
    return cached_parse(string)


def extract_toplevel_blocks(text, allowed_blocks=None, collect_raw_data=True, **kwargs):
    key = jinja._get_blocks_hash(text, allowed_blocks, collect_raw_data)
    if key not in jinja._TESTING_BLOCKS_CACHE:
        misses.append(["blocks", caller()])
    return cached_blocks(text, allowed_blocks, collect_raw_data, **kwargs)


templates = jinja.template_cache
cached_template = templates.get_node_template


def get_node_template(node):
    if node.macro_sql not in templates.file_cache:
        misses.append(["template", getattr(node, "unique_id", "?")])
    return cached_template(node)


cached_calls = loader.statically_extract_macro_calls


def statically_extract_macro_calls(source, ctx, db_wrapper=None):
    if source not in jinja_static._TESTING_MACRO_CACHE:
        misses.append(["calls", caller()])
    return cached_calls(source, ctx, db_wrapper)


jinja.parse, jinja.extract_toplevel_blocks = parse, extract_toplevel_blocks
templates.get_node_template = get_node_template
loader.statically_extract_macro_calls = statically_extract_macro_calls

result = dbtRunner().invoke(["parse", "--project-dir", os.environ["PROJECT_UNDER_TEST"], "--quiet"])
print(json.dumps({"success": result.success, "warmed": dbt_warmup.COMPILED_MACROS,
                  "frozen": frozen, "misses": misses}))
"""


def test_dbt_parse_finds_every_macro_in_the_warm_caches(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **dbt_env(tmp_path),
        **NO_LOG_FILE,
        "DBT_PARTIAL_PARSE": "False",
        "PROJECT_UNDER_TEST": str(PROJECT_DIR),
    }
    returncode, output = dbt_launcher.run_python(PARSE_AFTER_WARMUP, env, tmp_path)
    assert returncode == 0, output[-3000:]
    outcome = json.loads(output.strip().splitlines()[-1])
    assert outcome["success"]
    assert outcome["warmed"] > 500  # dbt's global project, the adapters' and the project's
    macro_parsers = ("dbt/parser/macros.py", "dbt/parser/generic_test.py")
    assert [miss for miss in outcome["misses"] if miss[1] in macro_parsers] == []
    assert [miss for miss in outcome["misses"] if miss[0] == "template"] == []
    assert [miss for miss in outcome["misses"] if miss[0] == "calls"] == []
    # The forkserver's heap, frozen once it is warm: out of its children's collections.
    assert outcome["frozen"] > 100_000
