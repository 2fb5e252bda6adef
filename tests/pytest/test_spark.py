"""Spark support that needs no dbt build on Spark: the conversion helper of Python models
(crm_mining.frames) on DuckDB, PySpark and Snowpark-like inputs, and the configuration that
disables the Python models on dbt-spark targets without Databricks (session, thrift) but not
on DuckDB or Databricks."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dbt_launcher
import duckdb
import pandas as pd
import pytest
import yaml
from harness import NO_LOG_FILE, PROJECT_DIR
from oracles.timestamps import ISO_TIMESTAMPS

from crm_mining.bench.spark import (
    SMALL_DATA_JAVA_OPTIONS,
    spark_dbt_env,
    spark_unavailable_reason,
)
from crm_mining.frames import is_pyspark_dataframe, is_snowpark_dataframe, to_arrow, to_pandas

ROWS_SQL = """
    select * from (values
        ('00042', cast(3.5 as double), cast('2024-01-31' as date), true, 7),
        ('00043', cast(null as double), cast('2024-02-29' as date), false, 8),
        (null, cast(-1.25 as double), null, null, null)
    ) as t(customer_id, amount, order_date, is_return, quantity)
"""
EXPECTED = pd.DataFrame(
    {
        "customer_id": ["00042", "00043", None],
        "amount": [3.5, None, -1.25],
        "order_date": [dt.date(2024, 1, 31), dt.date(2024, 2, 29), None],
        "is_return": [True, False, None],
        "quantity": [7, 8, None],
    }
)


def _normalised(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as plain Python values (None for every kind of missing), for engine-free equality."""
    rows = []
    for record in frame.astype(object).itertuples(index=False):
        values = []
        for value in record:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                values.append(None)
            elif isinstance(value, pd.Timestamp | dt.datetime):
                values.append(value.date())
            elif hasattr(value, "item"):
                values.append(value.item())
            else:
                values.append(value)
        rows.append(tuple(values))
    return rows


def test_duckdb_relation_to_pandas() -> None:
    with duckdb.connect() as con:
        frame = to_pandas(con.sql(ROWS_SQL))
    assert list(frame.columns) == list(EXPECTED.columns)
    assert _normalised(frame) == _normalised(EXPECTED)
    assert frame["customer_id"].iloc[0] == "00042"  # text keys keep their zeros


class SnowparkLikeDataFrame:
    """Stands in for snowflake.snowpark.DataFrame: the helper must call its to_pandas()."""

    __module__ = "snowflake.snowpark.dataframe"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.calls = 0

    def to_pandas(self) -> pd.DataFrame:
        self.calls += 1
        return self.frame.copy()


def test_snowpark_dataframe_goes_through_to_pandas() -> None:
    fake = SnowparkLikeDataFrame(EXPECTED)
    assert is_snowpark_dataframe(fake) and not is_pyspark_dataframe(fake)
    assert _normalised(to_pandas(fake)) == _normalised(EXPECTED)
    assert to_arrow(fake).num_rows == len(EXPECTED)
    assert fake.calls == 2


def test_pandas_frames_are_recognised_without_the_helper_importing_pandas() -> None:
    """crm_mining.frames finds pandas frames through sys.modules (it does not import pandas)."""
    assert to_pandas(EXPECTED) is EXPECTED
    assert _normalised(to_arrow(EXPECTED).to_pandas()) == _normalised(EXPECTED)


def test_unknown_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot convert int"):
        to_pandas(42)


@pytest.fixture(scope="module")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A small local SparkSession (no Hive, no UI), skipped without Java 17+."""
    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark_frames")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("crm_mining_frames_test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")  # as profiles.yml sets it
        .config("spark.sql.warehouse.dir", str(warehouse / "warehouse"))
        .config(
            "spark.driver.extraJavaOptions",
            f"-Dderby.system.home={warehouse} {SMALL_DATA_JAVA_OPTIONS}",
        )
        .getOrCreate()
    )
    yield session
    session.stop()


class _ModelConfig:
    """dbt.config of a Python model: callable (its config) and .get (the YAML's values)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __call__(self, **_: Any) -> None:
        return None

    def get(self, key: str) -> Any:
        return self.values[key]


class _FakeDbt:
    """The `dbt` object dbt hands a Python model, for calling the model outside dbt."""

    def __init__(self, refs: dict[str, Any], is_incremental: bool, this: str) -> None:
        self._refs = refs
        self.is_incremental = is_incremental
        self.this = this
        self.config = _ModelConfig(
            {
                "sentiment_workers": "1",
                "sentiment_chunk_size": "2",
                "sentiment_parallel_threshold": "1000",
                "sentiment_max_chars": "10000",
            }
        )

    def ref(self, name: str) -> Any:
        return self._refs[name]


def _sentiment_model() -> Any:
    import importlib.util

    path = PROJECT_DIR / "python_models" / "sentiment" / "int_review_texts_scored.py"
    spec = importlib.util.spec_from_file_location("int_review_texts_scored", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@pytest.mark.parametrize("is_incremental", [False, True])
def test_sentiment_model_on_pyspark_scores_what_duckdb_scores(
    spark_session: Any, is_incremental: bool
) -> None:
    """int_review_texts_scored on Databricks: dbt.ref() is a PySpark DataFrame, which has none of
    the DuckDB relation methods the model used (before, it failed there). Given PySpark
    DataFrames, it selects and scores the same texts as on DuckDB: one row per hash not cached,
    a null hash left out, a repeated text scored once, a text without words unscored."""
    from crm_mining.sentiment import scoring_rules, text_hash

    texts = ["Great product!", "Broke after a day.", "Great product!", "   ", "meh"]
    reviews = pd.DataFrame(
        {
            "review_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "text_hash": [*(text_hash(t) for t in texts), None],
            "review_text": [*texts, None],
        }
    )
    cached = pd.DataFrame(
        {
            "text_hash": [text_hash("meh"), text_hash("Broke after a day.")],
            "scoring_rules": [scoring_rules(10000), "older rules"],
        }
    )
    model = _sentiment_model()
    with duckdb.connect() as con:
        con.register("reviews_frame", reviews)
        con.register("cached_frame", cached)
        con.execute("create table cached_scores as select * from cached_frame")
        refs = {"int_reviews_text_hashed": con.table("reviews_frame")}
        on_duckdb = model(_FakeDbt(refs, is_incremental, "cached_scores"), con).to_pandas()
    spark_session.createDataFrame(cached).createOrReplaceTempView("cached_scores")
    refs = {"int_reviews_text_hashed": spark_session.createDataFrame(reviews)}
    on_spark = model(_FakeDbt(refs, is_incremental, "cached_scores"), spark_session)
    assert isinstance(on_spark, pd.DataFrame)
    expected_texts = {"Great product!", "Broke after a day.", "   "} | (
        set() if is_incremental else {"meh"}
    )
    assert sorted(on_duckdb["text_hash"]) == sorted(text_hash(t) for t in expected_texts)
    pd.testing.assert_frame_equal(
        on_spark.reset_index(drop=True), on_duckdb.reset_index(drop=True), check_dtype=False
    )


def test_pyspark_dataframe_to_pandas_equals_duckdb(spark_session: Any) -> None:
    spark_frame = spark_session.sql(ROWS_SQL)
    assert is_pyspark_dataframe(spark_frame) and not is_snowpark_dataframe(spark_frame)
    frame = to_pandas(spark_frame)
    with duckdb.connect() as con:
        from_duckdb = to_pandas(con.sql(ROWS_SQL))
    assert list(frame.columns) == list(from_duckdb.columns)
    assert _normalised(frame) == _normalised(from_duckdb) == _normalised(EXPECTED)


def test_spark_reads_dates_with_a_time_zone_as_duckdb_staging_does(spark_session: Any) -> None:
    """spark__crm_parse_timestamp is Spark's own cast: on the cases test_foundation.py holds
    DuckDB's staging to, it gives the same UTC times and rejects the same texts."""
    texts = [text for text, _ in ISO_TIMESTAMPS]
    frame = spark_session.createDataFrame([(text,) for text in texts], "order_date string")
    frame.createOrReplaceTempView("order_dates")
    rows = spark_session.sql(
        "select order_date, try_cast(order_date as timestamp) as ordered_at from order_dates"
    ).collect()
    read = {row["order_date"]: row["ordered_at"] for row in rows}
    for text, expected in ISO_TIMESTAMPS:
        if expected is None:
            assert read[text] is None, text
        else:
            assert pd.Timestamp(read[text]) == pd.Timestamp(expected), text


def test_pyspark_column_named_like_a_method(spark_session: Any) -> None:
    """PySpark resolves unknown attributes as columns: a column 'arrow' must not mislead."""
    spark_frame = spark_session.createDataFrame(
        [("a", 1), ("b", 2)], "to_arrow_table string, arrow bigint"
    )
    frame = to_pandas(spark_frame)
    assert frame.to_dict("list") == {"to_arrow_table": ["a", "b"], "arrow": [1, 2]}


# The rule of crm_python_models_enabled (and of the YAML `enabled` of the Python models) reads
# what dbt exposes of a dbt-spark target: a Databricks cluster or SQL warehouse endpoint means
# methods http/odbc, which run Python models. dbt ls cannot load http/thrift/odbc outputs
# without PyHive or pyodbc (not installed), so this session output with a cluster stands in
# for Databricks: dbt ls never connects.
EXTRA_SPARK_OUTPUTS = {
    "spark_with_cluster": {
        "type": "spark", "method": "session", "host": "localhost", "schema": "crm_mining",
        "cluster": "0123-456789-abcdefgh",
    },
}  # fmt: skip

PYTHON_MODELS = {path.stem for path in (PROJECT_DIR / "python_models").rglob("*.py")}


def _dbt_ls(target: str, work_dir: Path) -> dict[str, dict[str, Any]]:
    """`dbt ls` of the enabled models, tests and unit tests on a target (no connection is
    opened), by name: resource type, file and the models each depends on."""
    profiles_dir = work_dir / "profiles"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    profiles["crm_mining"]["outputs"].update(EXTRA_SPARK_OUTPUTS)
    (profiles_dir / "profiles.yml").write_text(yaml.safe_dump(profiles))
    env = {
        **os.environ,
        **spark_dbt_env(work_dir),
        **NO_LOG_FILE,
        "DBT_PROFILES_DIR": str(profiles_dir),
    }
    command = [
        "ls", "--target", target, "--resource-type", "model", "--resource-type",
        "test", "--resource-type", "unit_test", "--output", "json", "--output-keys", "name",
        "--output-keys", "resource_type", "--output-keys", "original_file_path",
        "--output-keys", "depends_on",
    ]  # fmt: skip
    returncode, output = dbt_launcher.run(command, env, PROJECT_DIR)
    assert returncode == 0, output
    nodes = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {node["name"]: node for node in nodes}


def _python_models_read(nodes: dict[str, dict[str, Any]]) -> set[str]:
    """The Python models some SQL model depends on (what crm_python_model_relation refs)."""
    return {
        parent.rsplit(".", 1)[-1]
        for node in nodes.values()
        if node["resource_type"] == "model" and node["original_file_path"].endswith(".sql")
        for parent in node["depends_on"]["nodes"]
        if parent.rsplit(".", 1)[-1] in PYTHON_MODELS
    }


def _manifest_nodes(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What `_dbt_ls` gives, from a manifest: its enabled models, tests and unit tests."""
    nodes = [
        node
        for node in [*manifest["nodes"].values(), *manifest["unit_tests"].values()]
        if node["resource_type"] in ("model", "test", "unit_test")
    ]
    return {
        node["name"]: {
            "name": node["name"],
            "resource_type": node["resource_type"],
            "original_file_path": node["original_file_path"],
            "depends_on": node["depends_on"],
        }
        for node in nodes
    }


@pytest.fixture(scope="module")
def dbt_ls_by_target(
    tmp_path_factory: pytest.TempPathFactory, sample_build: Any
) -> dict[str, dict[str, Any]]:
    """The nodes of each target. DuckDB's (dev): those of the session's sample build, parsed
    with the same project, profile and vars (its manifest), instead of parsing them again."""
    work_dir = tmp_path_factory.mktemp("dbt_ls")
    manifest = sample_build.manifest()
    return {
        "dev": _manifest_nodes(manifest),
        **{
            target: _dbt_ls(target, work_dir / target) for target in ("spark", "spark_with_cluster")
        },
    }


def test_python_models_off_on_spark_session(dbt_ls_by_target: dict[str, dict[str, Any]]) -> None:
    """No Python model, no SQL model reads one, every SQL model stays."""
    on_duckdb, on_spark = dbt_ls_by_target["dev"], dbt_ls_by_target["spark"]
    assert PYTHON_MODELS and PYTHON_MODELS <= set(on_duckdb)
    assert not PYTHON_MODELS & set(on_spark)
    # The YAML rule (enabled) and the macro crm_python_models_enabled agree: the SQL models
    # that read Python models on DuckDB read none here (the macro refs them only when on).
    assert _python_models_read(on_duckdb) == PYTHON_MODELS - {"int_marts_published"}
    assert _python_models_read(on_spark) == set()
    sql_models = {
        name
        for name, node in on_duckdb.items()
        if node["resource_type"] == "model" and node["original_file_path"].endswith(".sql")
    }
    assert sql_models and sql_models <= set(on_spark)
    # Off with them: the tests of their outputs, and the unit tests fed by a Python model.
    disabled = set(on_duckdb) - set(on_spark) - PYTHON_MODELS
    assert {
        "int_reviews_sentiment_scored_labels_and_disagreement",
        "int_segment_purchases_ranked_lists",
        "fct_customer_segments_model_row_checks",
        "fct_review_sentiment_model_row_checks",
    } <= disabled
    # Every other test of the marts stays on (keys, counts, non-ML columns).
    assert {
        "primary_key_fct_customer_segments_customer_id",
        "primary_key_fct_review_sentiment_review_id",
        "primary_key_fct_customer_churn_scores_customer_id",
        "primary_key_fct_churn_model_metrics_as_of_date",
    } <= set(on_spark)


def test_python_models_on_databricks(dbt_ls_by_target: dict[str, dict[str, Any]]) -> None:
    """A dbt-spark target with a Databricks cluster builds what DuckDB builds."""
    on_duckdb, on_databricks = dbt_ls_by_target["dev"], dbt_ls_by_target["spark_with_cluster"]
    assert set(on_databricks) == set(on_duckdb)
    assert _python_models_read(on_databricks) == _python_models_read(on_duckdb)
