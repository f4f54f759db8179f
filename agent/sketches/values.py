"""Turning one batch of column values (a NumPy array) into what the sketches take.

Nulls are None, NaN (float columns and object arrays), NaT, and masked entries of a
``numpy.ma.MaskedArray``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agent.sketches.errors import SketchError
from agent.sketches.temporal import to_epoch_seconds

ColumnKind = Literal["integer", "float", "temporal", "string"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("integer", "float", "temporal", "string")
_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class NumericBatch:
    """Non-null values: ``numbers`` (float64, epoch seconds for temporal) for quantiles and
    moments, ``keys`` (int64 or float64, epoch microseconds for temporal) for hashing/counting."""

    total: int
    null_count: int
    numbers: np.ndarray
    keys: np.ndarray


@dataclass(frozen=True)
class StringBatch:
    total: int
    null_count: int
    values: list[str]


def check_kind(kind: str, where: str = "kind") -> ColumnKind:
    if kind not in COLUMN_KINDS:
        raise SketchError(f"{where}: expected one of {', '.join(COLUMN_KINDS)}, got {kind!r}")
    return kind


def _split(batch: np.ndarray, column: str) -> tuple[np.ndarray, int]:
    """The non-masked part of ``batch`` and how many entries were masked."""
    if not isinstance(batch, np.ndarray):
        raise SketchError(
            f"column {column!r}: expected a NumPy array, got {type(batch).__name__}; "
            "wrap the values with numpy.asarray"
        )
    if batch.ndim != 1:
        raise SketchError(f"column {column!r}: expected a 1-D array, got shape {batch.shape}")
    if isinstance(batch, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(batch)
        return np.asarray(batch.data)[~mask], int(mask.sum())
    return batch, 0


def _object_values(array: np.ndarray) -> list[object]:
    """Entries that are neither None nor NaN (NaN is the one value not equal to itself)."""
    return [v for v in array.tolist() if v is not None and v == v]


def _to_int64(array: np.ndarray, column: str) -> np.ndarray:
    kind = array.dtype.kind
    if kind in "bi":
        return array.astype(np.int64, copy=False)
    if kind == "u":
        if array.size and int(array.max()) > _INT64_MAX:
            raise SketchError(f"column {column!r}: unsigned values above 2^63-1; use kind 'float'")
        return array.astype(np.int64)
    if kind == "f":
        if array.size and not np.array_equal(array, np.trunc(array)):
            raise SketchError(
                f"column {column!r}: non-integral numbers in an integer column; use kind 'float'"
            )
        return array.astype(np.int64)
    raise SketchError(f"column {column!r}: cannot read dtype {array.dtype} as integers")


def numeric_batch(batch: np.ndarray, kind: ColumnKind, column: str) -> NumericBatch:
    """Prepare an integer, float or temporal batch."""
    array, _ = _split(batch, column)
    total = int(batch.size)
    if array.dtype.kind == "O":
        array = _from_objects(_object_values(array), kind, column)
    if kind == "temporal":
        if array.dtype.kind != "M":
            raise SketchError(
                f"column {column!r}: expected datetime64 values for a temporal column, "
                f"got dtype {array.dtype}"
            )
        micros = array.astype("datetime64[us]")
        micros = micros[~np.isnat(micros)]
        numbers = to_epoch_seconds(micros)
        keys = micros.astype(np.int64)
    elif array.dtype.kind in "biuf":
        if array.dtype.kind == "f":
            array = array[~np.isnan(array)]
        numbers = array.astype(np.float64, copy=False)
        keys = _to_int64(array, column) if kind == "integer" else numbers
    else:
        raise SketchError(f"column {column!r}: expected numbers for a {kind} column, got dtype {array.dtype}")
    return NumericBatch(total, total - int(numbers.size), numbers, keys)


def _from_objects(values: list[object], kind: ColumnKind, column: str) -> np.ndarray:
    try:
        if kind == "temporal":
            return np.array([_naive_utc(v) for v in values], dtype="datetime64[us]")
        if kind == "integer" and set(map(type, values)) <= {int, bool}:
            return np.array(values, dtype=np.int64)
        # Other objects (Decimal, float, ...) go through float64 so that an integer column
        # rejects non-integral values instead of truncating them.
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SketchError(
            f"column {column!r}: values do not fit a {kind} column ({exc}); "
            "declare the right kind or cast the column in the query"
        ) from exc


def _naive_utc(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def string_batch(batch: np.ndarray, column: str) -> StringBatch:
    """Prepare a string batch (NumPy unicode or object array of str / None)."""
    array, _ = _split(batch, column)
    total = int(batch.size)
    if array.dtype.kind == "U":
        values: list[str] = array.tolist()
    elif array.dtype.kind == "O":
        objects = _object_values(array)
        if set(map(type, objects)) <= {str}:
            values = objects  # type: ignore[assignment]
            return StringBatch(total, total - len(values), values)
        for position, value in enumerate(objects):
            if not isinstance(value, str):
                raise SketchError(
                    f"column {column!r}: expected str values, got {type(value).__name__} "
                    f"({value!r}) at non-null position {position}; cast it to text in the query "
                    "or declare a numeric or temporal kind"
                )
        values = objects  # type: ignore[assignment]  # str subclasses only
    else:
        raise SketchError(
            f"column {column!r}: expected strings (unicode or object array), got dtype {array.dtype}"
        )
    return StringBatch(total, total - len(values), values)
