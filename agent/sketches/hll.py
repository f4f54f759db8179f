"""Distinct counts with an Apache DataSketches HLL sketch.

Values are hashed by the library itself (``hll_sketch.update``), so a sketch built here merges
with HLL sketches built by any other DataSketches user (Java, C++, Python, Druid, ...) that fed
the same value types: integers as 64-bit longs, floats as doubles, strings as UTF-8.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import datasketches as ds
import numpy as np

from agent.sketches.errors import SketchError

DEFAULT_LG_K = 12
MIN_LG_K = 7
MAX_LG_K = 21


@dataclass(frozen=True)
class DistinctEstimate:
    """A distinct-count estimate with its error bounds (``std_devs`` standard deviations)."""

    estimate: float
    lower_bound: float
    upper_bound: float
    std_devs: int
    estimated: bool = True


def check_lg_k(lg_k: int, where: str = "lg_k") -> int:
    if isinstance(lg_k, bool) or not isinstance(lg_k, int) or not MIN_LG_K <= lg_k <= MAX_LG_K:
        raise SketchError(f"{where}: expected an integer between {MIN_LG_K} and {MAX_LG_K}, got {lg_k!r}")
    return lg_k


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of a numeric array (sort and drop repeats)."""
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class DistinctCounter:
    """HLL sketch (HLL_8 target type) with batch updates from NumPy arrays or lists."""

    def __init__(self, lg_k: int = DEFAULT_LG_K) -> None:
        self._sketch = ds.hll_sketch(check_lg_k(lg_k), ds.HLL_8)

    @property
    def lg_k(self) -> int:
        return int(self._sketch.lg_config_k)

    @property
    def sketch(self) -> ds.hll_sketch:
        """The underlying DataSketches object."""
        return self._sketch

    def is_empty(self) -> bool:
        return bool(self._sketch.is_empty())

    def update(self, values: np.ndarray | Sequence[object]) -> None:
        """Add values. The library has no array update for HLL, so each value is handed to
        ``hll_sketch.update`` through ``map`` (no Python-level loop body). Numeric arrays are
        de-duplicated first (a sort): HLL ignores repeats, so the sketch describes the same set
        of values, for fewer library calls."""
        if isinstance(values, np.ndarray):
            if values.ndim != 1:
                raise SketchError(f"HLL update: expected a 1-D array, got shape {values.shape}")
            if values.dtype.kind in "iuf" and values.size > 1:
                values = distinct_sorted(values)
            items: Sequence[object] = values.tolist()
        else:
            items = values
        deque(map(self._sketch.update, items), maxlen=0)

    def merge(self, other: DistinctCounter) -> None:
        """Union ``other`` into this sketch (the result keeps the smaller lg_k of the two)."""
        union = ds.hll_union(max(self.lg_k, other.lg_k))
        union.update(self._sketch)
        union.update(other._sketch)
        self._sketch = union.get_result(ds.HLL_8)

    def result(self, std_devs: int = 2) -> DistinctEstimate:
        if std_devs not in (1, 2, 3):
            raise SketchError(f"std_devs: expected 1, 2 or 3, got {std_devs!r}")
        return DistinctEstimate(
            estimate=float(self._sketch.get_estimate()),
            lower_bound=float(self._sketch.get_lower_bound(std_devs)),
            upper_bound=float(self._sketch.get_upper_bound(std_devs)),
            std_devs=std_devs,
        )

    def relative_error(self, std_devs: int = 2) -> float:
        """The a-priori relative error bound of this configuration."""
        return abs(float(ds.hll_sketch.get_rel_err(True, False, self.lg_k, std_devs)))

    def to_bytes(self) -> bytes:
        """DataSketches' compact HLL serialisation."""
        return bytes(self._sketch.serialize_compact())

    @classmethod
    def from_bytes(cls, data: bytes) -> DistinctCounter:
        try:
            sketch = ds.hll_sketch.deserialize(bytes(data))
        except (RuntimeError, ValueError, IndexError) as exc:
            raise SketchError(f"HLL sketch bytes: not a DataSketches HLL sketch ({exc})") from exc
        counter = cls.__new__(cls)
        counter._sketch = sketch
        return counter

    @classmethod
    def wrap(cls, sketch: ds.hll_sketch) -> DistinctCounter:
        counter = cls.__new__(cls)
        counter._sketch = sketch
        return counter
