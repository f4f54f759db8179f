"""Temporal values as epoch seconds, and calendar (year / month / day) histograms from KLL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from agent.sketches.errors import SketchError
from agent.sketches.kll import QuantileSketch

Granularity = Literal["year", "month", "day"]
_UNIT: dict[str, str] = {"year": "Y", "month": "M", "day": "D"}
_MAX_BUCKETS = 400


@dataclass(frozen=True)
class CalendarHistogram:
    """Estimated counts per calendar bucket; labels are ISO prefixes ("2024", "2024-03", ...)."""

    granularity: Granularity
    labels: tuple[str, ...]
    counts: tuple[float, ...]


def to_epoch_seconds(values: np.ndarray) -> np.ndarray:
    """datetime64 array (any unit, NaT allowed) -> float64 epoch seconds, NaT -> NaN."""
    if values.dtype.kind != "M":
        raise SketchError(f"temporal values: expected a datetime64 array, got dtype {values.dtype}")
    micros = values.astype("datetime64[us]")
    seconds = micros.astype(np.int64).astype(np.float64) / 1e6
    seconds[np.isnat(micros)] = np.nan
    return seconds


def from_epoch_seconds(seconds: float) -> np.datetime64:
    return np.datetime64(round(seconds * 1e6), "us")


def choose_granularity(min_seconds: float, max_seconds: float) -> Granularity:
    """Years past ~3 years of span, months past ~3 months, otherwise days."""
    span_days = (max_seconds - min_seconds) / 86400.0
    if span_days > 3 * 365:
        return "year"
    if span_days > 90:
        return "month"
    return "day"


def calendar_histogram(sketch: QuantileSketch, granularity: Granularity | None = None) -> CalendarHistogram:
    """Counts per year, month or day between the sketch's min and max (epoch seconds)."""
    lo, hi = sketch.min(), sketch.max()
    if lo is None or hi is None:
        return CalendarHistogram(granularity=granularity or "day", labels=(), counts=())
    chosen = granularity or choose_granularity(lo, hi)
    if chosen not in _UNIT:
        raise SketchError(f"granularity: expected year, month or day, got {chosen!r}")
    unit = _UNIT[chosen]
    first = from_epoch_seconds(lo).astype(f"datetime64[{unit}]")
    last = from_epoch_seconds(hi).astype(f"datetime64[{unit}]")
    starts = np.arange(first, last + 1, dtype=f"datetime64[{unit}]")
    if starts.size > _MAX_BUCKETS:
        raise SketchError(
            f"calendar histogram: {starts.size} {chosen} buckets exceed {_MAX_BUCKETS}; "
            "choose a coarser granularity"
        )
    # Bucket i holds [start_i, start_i+1): split just below each later bucket's start.
    boundaries = to_epoch_seconds(starts[1:].astype("datetime64[us]"))
    split_points = [float(np.nextafter(b, -np.inf)) for b in boundaries]
    masses = sketch.pmf(split_points) if split_points else [1.0]
    labels = tuple(str(s) for s in starts)
    return CalendarHistogram(granularity=chosen, labels=labels, counts=tuple(m * sketch.n for m in masses))
