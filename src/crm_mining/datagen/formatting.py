"""Vectorised text formatting of ids, dates, timestamps and prices with Arrow compute."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers, e.g. ids("O", [12], 9) -> ["O000000012"]."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    if not prefix:
        return digits
    return pc.binary_join_element_wise(prefix, digits, "")


def dates(epoch_days: np.ndarray) -> pa.Array:
    """`YYYY-MM-DD` of days since 1970-01-01."""
    return pc.strftime(pa.array(epoch_days.astype(np.int32), type=pa.date32()), format="%Y-%m-%d")


def timestamps(epoch_seconds: np.ndarray) -> pa.Array:
    """`YYYY-MM-DD HH:MM:SS` of seconds since 1970-01-01 00:00:00."""
    arr = pa.array(epoch_seconds.astype(np.int64), type=pa.timestamp("s"))
    return pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")


def integers(values: np.ndarray) -> pa.Array:
    """Integers as text."""
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def cents(values: np.ndarray) -> pa.Array:
    """Amounts in cents as decimal text with 2 decimals (negative amounts keep their sign)."""
    values = values.astype(np.int64)
    magnitude = np.abs(values)
    units = integers(magnitude // 100)
    fraction = pc.utf8_lpad(integers(magnitude % 100), 2, "0")
    text = pc.binary_join_element_wise(units, fraction, ".")
    if (values < 0).any():
        negative = pc.binary_join_element_wise("-", text, "")
        text = pc.if_else(pa.array(values < 0), negative, text)
    return text


def replace(base: pa.Array, positions: np.ndarray, values: list[str | None]) -> pa.Array:
    """`base` with the values at `positions` replaced (None writes a null)."""
    if len(positions) == 0:
        return base
    mask = np.zeros(len(base), dtype=bool)
    mask[positions] = True
    order = np.argsort(positions, kind="stable")
    replacements = pa.array([values[i] for i in order.tolist()], type=pa.string())
    return pc.replace_with_mask(base, pa.array(mask), replacements)


def strings(values: list[str | None]) -> pa.Array:
    """A Python list of texts as an Arrow string array."""
    return pa.array(values, type=pa.string())


def table(columns: dict[str, pa.Array]) -> pa.Table:
    """A table of string columns, in the given order."""
    return pa.table({k: v.cast(pa.string()) for k, v in columns.items()})


def null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """`values` with nulls where mask is true."""
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.scalar(None, type=values.type), values)
