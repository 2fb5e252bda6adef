"""Conversions between what dbt Python models receive and pandas.

`dbt.ref()` returns a different object on each engine: a DuckDB relation (dbt-duckdb), a
PySpark DataFrame (dbt-spark / dbt-databricks), a Snowpark DataFrame (dbt-snowflake).
DuckDB 2.0 changed its relation API: `.arrow()` now returns a `pyarrow.RecordBatchReader`
(not a Table) and relations have no `fetchone()`. Everything that reads a dbt relation in a
Python model goes through `to_pandas`, so that these differences are handled once.

pandas is imported only when a function needs it: the sentiment model uses `to_arrow` and the
engine checks, and importing pandas alone costs ~0.6 s of its incremental run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd


def _type_module(value: Any) -> str:
    """Top-level package of the value's class ('pyspark', 'snowflake', 'duckdb', ...)."""
    return type(value).__module__.split(".")[0]


def is_pyspark_dataframe(relation: Any) -> bool:
    """True for a PySpark DataFrame (classic or Spark Connect), without importing pyspark."""
    return _type_module(relation) == "pyspark" and type(relation).__name__ == "DataFrame"


def is_snowpark_dataframe(relation: Any) -> bool:
    """True for a Snowpark DataFrame (snowflake.snowpark), without importing it."""
    return _type_module(relation) == "snowflake" and hasattr(relation, "to_pandas")


def _is_pandas_dataframe(value: Any) -> bool:
    """True for a pandas DataFrame; pandas is not imported (if it is not loaded, value is not
    one of its frames)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def to_arrow(relation: Any) -> pa.Table:
    """Materialise a dbt.ref() result as an Arrow table.

    Accepts a DuckDB relation, an Arrow reader or table, a pandas DataFrame, a PySpark
    DataFrame (collected to the driver: `toArrow()`, Spark >= 4.0, else `toPandas()`) or a
    Snowpark DataFrame (`to_pandas()`).
    """
    if isinstance(relation, pa.Table):
        return relation
    if isinstance(relation, pa.RecordBatchReader):
        return relation.read_all()
    if _is_pandas_dataframe(relation):
        return pa.Table.from_pandas(relation, preserve_index=False)
    # Checked before the attribute probes below: PySpark resolves unknown attributes as
    # column names, so hasattr() on a DataFrame says nothing about its methods.
    if is_pyspark_dataframe(relation):
        if hasattr(type(relation), "toArrow"):
            return relation.toArrow()
        return pa.Table.from_pandas(relation.toPandas(), preserve_index=False)
    if is_snowpark_dataframe(relation):
        return pa.Table.from_pandas(relation.to_pandas(), preserve_index=False)
    if hasattr(relation, "to_arrow_table"):  # DuckDB >= 1.4 relation
        return relation.to_arrow_table()
    if hasattr(relation, "arrow"):
        result = relation.arrow()
        return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    raise TypeError(f"cannot convert {type(relation).__name__} to an Arrow table")


def decimals_as_float(table: pa.Table) -> pa.Table:
    """The table with every DECIMAL column cast to float64 (the models learn on floats; money
    stays exact in SQL, README "Types")."""
    for index, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.float64()))
    return table


def to_pandas(relation: Any) -> pd.DataFrame:
    """Materialise a dbt.ref() result as a pandas DataFrame (via Arrow: much faster than .df()),
    DECIMAL columns as float64. Snowpark's own to_pandas already gives floats for NUMBER with
    a scale."""
    if _is_pandas_dataframe(relation):
        return relation
    if is_snowpark_dataframe(relation):
        return relation.to_pandas()
    return decimals_as_float(to_arrow(relation)).to_pandas()
