"""Top values with frequencies, from Apache DataSketches frequent-items sketches.

Strings use ``frequent_strings_sketch``; integers and floats use ``frequent_items_sketch`` with
the library's long / double serde, so the bytes are the standard DataSketches frequent-items
formats that other DataSketches users can read and merge.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import datasketches as ds
import numpy as np

from agent.sketches.errors import SketchError

ItemKind = Literal["string", "integer", "float"]
ITEM_KINDS: tuple[ItemKind, ...] = ("string", "integer", "float")
DEFAULT_LG_MAX_K = 10
_SERDE: dict[str, type[ds.PyObjectSerDe]] = {
    "integer": ds.PyLongsSerDe,
    "float": ds.PyDoublesSerDe,
}


@dataclass(frozen=True)
class TopValue:
    """One frequent value: estimated count with guaranteed bounds, and its share of the total."""

    value: str | int | float
    estimate: int
    lower_bound: int
    upper_bound: int
    share: float


def check_lg_max_k(lg_max_k: int, where: str = "lg_max_k") -> int:
    if isinstance(lg_max_k, bool) or not isinstance(lg_max_k, int) or not 3 <= lg_max_k <= 26:
        raise SketchError(f"{where}: expected an integer between 3 and 26, got {lg_max_k!r}")
    return lg_max_k


def _new_sketch(kind: str, lg_max_k: int) -> ds.frequent_strings_sketch | ds.frequent_items_sketch:
    if kind == "string":
        return ds.frequent_strings_sketch(lg_max_k)
    if kind in _SERDE:
        return ds.frequent_items_sketch(lg_max_k)
    raise SketchError(f"frequent items kind: expected one of {ITEM_KINDS}, got {kind!r}")


class FrequentItems:
    """Misra-Gries style heavy hitters; counts are exact while fewer than 0.75 * 2^lg_max_k
    distinct items have been seen."""

    def __init__(self, kind: ItemKind = "string", lg_max_k: int = DEFAULT_LG_MAX_K) -> None:
        self._kind: ItemKind = kind
        self._sketch = _new_sketch(kind, check_lg_max_k(lg_max_k))

    @property
    def kind(self) -> ItemKind:
        return self._kind

    @property
    def sketch(self) -> ds.frequent_strings_sketch | ds.frequent_items_sketch:
        """The underlying DataSketches object."""
        return self._sketch

    @property
    def total_weight(self) -> int:
        return int(self._sketch.total_weight)

    def is_empty(self) -> bool:
        return bool(self._sketch.is_empty())

    def update(self, values: np.ndarray | Sequence[object], counts: np.ndarray | None = None) -> None:
        """Add values, each once, or ``counts[i]`` times when counts are given (callers
        pre-aggregate repeated values with ``np.unique``/``Counter``: one weighted update each)."""
        items = values.tolist() if isinstance(values, np.ndarray) else list(values)
        update = self._sketch.update
        if counts is None:
            deque(map(update, items), maxlen=0)
            return
        weights = counts.tolist()
        if len(weights) != len(items):
            raise SketchError(f"frequent items update: {len(items)} values but {len(weights)} counts")
        deque(map(update, items, weights), maxlen=0)

    def merge(self, other: FrequentItems) -> None:
        if other._kind != self._kind:
            raise SketchError(
                f"frequent items merge: cannot merge a {other._kind} sketch into a {self._kind} one"
            )
        self._sketch.merge(other._sketch)

    def top(self, k: int = 10) -> list[TopValue]:
        """The k values with the largest estimated counts."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise SketchError(f"top k: expected a positive integer, got {k!r}")
        if self.is_empty():
            return []
        rows = self._sketch.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_NEGATIVES, 0)
        rows.sort(key=lambda row: (-row[1], str(row[0])))
        total = self.total_weight
        return [
            TopValue(
                value=item,
                estimate=int(est),
                lower_bound=int(lo),
                upper_bound=int(hi),
                share=est / total,
            )
            for item, est, lo, hi in rows[:k]
        ]

    def maximum_error(self) -> int:
        """Upper bound on how far any count estimate may be from the truth."""
        if self.is_empty():
            return 0
        rows = self._sketch.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_NEGATIVES, 0)
        if not rows:
            return 0
        return max(int(hi) - int(lo) for _, _, lo, hi in rows)

    def to_bytes(self) -> bytes:
        if self._kind == "string":
            return bytes(self._sketch.serialize())
        return bytes(self._sketch.serialize(_SERDE[self._kind]()))

    @classmethod
    def from_bytes(cls, data: bytes, kind: ItemKind = "string") -> FrequentItems:
        try:
            if kind == "string":
                sketch = ds.frequent_strings_sketch.deserialize(bytes(data))
            elif kind in _SERDE:
                sketch = ds.frequent_items_sketch.deserialize(bytes(data), _SERDE[kind]())
            else:
                raise SketchError(f"frequent items kind: expected one of {ITEM_KINDS}, got {kind!r}")
        except SketchError:
            raise
        except (RuntimeError, ValueError, IndexError) as exc:
            raise SketchError(
                f"frequent items bytes: not a DataSketches {kind} frequent-items sketch ({exc})"
            ) from exc
        wrapped = cls.__new__(cls)
        wrapped._kind = kind
        wrapped._sketch = sketch
        return wrapped
