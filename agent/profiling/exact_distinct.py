"""Exact distinct counts of a sample while it is small.

Extrapolating a table's distinct count from a sample is sensitive to the sample's own count
(see ``sampling.extrapolate_distinct``), so sampled profiles count the sample's distinct values
exactly, per column, up to ``limit`` values; past that the HLL estimate is used.
"""

from __future__ import annotations

import numpy as np

DEFAULT_LIMIT = 2_000_000


class ExactDistinct:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._seen: dict[str, set[object] | None] = {}

    def update(self, column: str, values: np.ndarray) -> None:
        seen = self._seen.setdefault(column, set())
        if seen is None:
            return
        seen.update(_present(values).tolist())
        if len(seen) > self.limit:
            self._seen[column] = None  # too many to hold: fall back to the sketch

    def count(self, column: str) -> int | None:
        seen = self._seen.get(column)
        return None if seen is None else len(seen)


def _present(values: np.ndarray) -> np.ndarray:
    """Non-null entries (None, NaN, NaT and masked entries dropped)."""
    if isinstance(values, np.ma.MaskedArray):
        values = values.compressed()
    kind = values.dtype.kind
    if kind == "f":
        return values[~np.isnan(values)]
    if kind == "M":
        return values[~np.isnat(values)].view(np.int64)
    if kind == "O":
        return np.array([v for v in values.tolist() if v is not None and v == v], dtype=object)
    return values
