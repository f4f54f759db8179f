"""Quantiles, CDF/PMF and histograms with an Apache DataSketches KLL (doubles) sketch.

Temporal values go in as epoch seconds (see ``agent.sketches.temporal``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import datasketches as ds
import numpy as np

from agent.sketches.errors import SketchError

DEFAULT_K = 200
MIN_K = 8
MAX_K = 65535

# The quantiles a profile reports, by name.
PROFILE_QUANTILES: dict[str, float] = {
    "p25": 0.25,
    "median": 0.5,
    "p75": 0.75,
    "p95": 0.95,
    "p99": 0.99,
}
# The quantiles the exporter publishes as dq_column_quantile{quantile=...}.
EXPORTED_QUANTILES: tuple[float, ...] = (0.5, 0.9, 0.99)


@dataclass(frozen=True)
class Histogram:
    """Bin edges (len = bins + 1) and the estimated number of values in each bin."""

    edges: tuple[float, ...]
    counts: tuple[float, ...]


def check_k(k: int, where: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= MAX_K:
        raise SketchError(f"{where}: expected an integer between {MIN_K} and {MAX_K}, got {k!r}")
    return k


class QuantileSketch:
    """KLL doubles sketch fed with whole NumPy arrays (the library's vectorised update)."""

    def __init__(self, k: int = DEFAULT_K) -> None:
        self._sketch = ds.kll_doubles_sketch(check_k(k))

    @property
    def sketch(self) -> ds.kll_doubles_sketch:
        """The underlying DataSketches object."""
        return self._sketch

    @property
    def k(self) -> int:
        return int(self._sketch.k)

    @property
    def n(self) -> int:
        return int(self._sketch.n)

    def is_empty(self) -> bool:
        return bool(self._sketch.is_empty())

    def update(self, values: np.ndarray) -> None:
        """Add a float64 array (other numeric dtypes are converted; NaN is ignored by KLL)."""
        array = np.ascontiguousarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise SketchError(f"KLL update: expected a 1-D array, got shape {array.shape}")
        if array.size:
            self._sketch.update(array)

    def merge(self, other: QuantileSketch) -> None:
        self._sketch.merge(other._sketch)

    def rank_error(self, as_pmf: bool = False) -> float:
        """Normalised rank error (99th percentile); 0 while the sketch still holds every value."""
        if not self._sketch.is_estimation_mode():
            return 0.0
        return float(self._sketch.normalized_rank_error(as_pmf))

    def min(self) -> float | None:
        return None if self.is_empty() else float(self._sketch.get_min_value())

    def max(self) -> float | None:
        return None if self.is_empty() else float(self._sketch.get_max_value())

    def quantiles(self, ranks: Sequence[float]) -> list[float]:
        for rank in ranks:
            if not 0.0 <= rank <= 1.0:
                raise SketchError(f"quantile rank {rank!r}: expected a value between 0 and 1")
        if self.is_empty():
            return [float("nan")] * len(ranks)
        return [float(v) for v in self._sketch.get_quantiles(list(ranks), True)]

    def named_quantiles(self, names: dict[str, float] | None = None) -> dict[str, float]:
        chosen = PROFILE_QUANTILES if names is None else names
        return dict(zip(chosen, self.quantiles(list(chosen.values())), strict=True))

    def cdf(self, split_points: Sequence[float]) -> list[float]:
        """Fraction of values <= each split point (strictly increasing split points)."""
        _check_split_points(split_points)
        if self.is_empty():
            return []
        return [float(v) for v in self._sketch.get_cdf(list(split_points), True)[:-1]]

    def pmf(self, split_points: Sequence[float]) -> list[float]:
        """Mass in (-inf, s0], (s0, s1], ..., (s_last, +inf): len(split_points) + 1 values."""
        _check_split_points(split_points)
        if self.is_empty():
            return []
        return [float(v) for v in self._sketch.get_pmf(list(split_points), True)]

    def histogram(self, bins: int = 20) -> Histogram:
        """Equal-width histogram between min and max with estimated counts per bin."""
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise SketchError(f"histogram bins: expected a positive integer, got {bins!r}")
        lo, hi = self.min(), self.max()
        if lo is None or hi is None:
            return Histogram(edges=(), counts=())
        if lo == hi:
            return Histogram(edges=(lo, hi), counts=(float(self.n),))
        edges = np.linspace(lo, hi, bins + 1)
        inner = [float(e) for e in np.unique(edges[1:-1])]
        # First bin is [min, e1]; later bins are (e_i, e_i+1]; the max lands in the last bin.
        masses = self._sketch.get_pmf(inner, True) if inner else [1.0]
        counts = tuple(float(m) * self.n for m in masses)
        return Histogram(edges=(lo, *inner, hi), counts=counts)

    def items(self) -> np.ndarray:
        """The distinct values the sketch retains, sorted (where a CDF can step)."""
        return np.unique(np.fromiter((v for v, _ in self._sketch), dtype=np.float64))

    def to_bytes(self) -> bytes:
        """DataSketches' KLL doubles serialisation."""
        return bytes(self._sketch.serialize())

    @classmethod
    def from_bytes(cls, data: bytes) -> QuantileSketch:
        try:
            sketch = ds.kll_doubles_sketch.deserialize(bytes(data))
        except (RuntimeError, ValueError, IndexError) as exc:
            raise SketchError(f"KLL sketch bytes: not a DataSketches KLL doubles sketch ({exc})") from exc
        return cls.wrap(sketch)

    @classmethod
    def wrap(cls, sketch: ds.kll_doubles_sketch) -> QuantileSketch:
        wrapped = cls.__new__(cls)
        wrapped._sketch = sketch
        return wrapped


def _check_split_points(split_points: Sequence[float]) -> None:
    points = np.asarray(split_points, dtype=np.float64)
    if points.ndim != 1 or np.isnan(points).any() or (np.diff(points) <= 0).any():
        raise SketchError(
            "split points: expected strictly increasing numbers without NaN, "
            f"got {list(split_points)[:5]!r}..."
        )
