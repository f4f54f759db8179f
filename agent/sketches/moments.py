"""Exact, mergeable running statistics: mean / standard deviation and string lengths."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Moments:
    """Count, mean and sum of squared deviations (Chan et al. parallel update)."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def update(self, values: np.ndarray) -> None:
        """Add a float64 array without NaN."""
        n = int(values.size)
        if n == 0:
            return
        batch_mean = float(values.mean())
        batch_m2 = float(np.square(values - batch_mean).sum())
        self.merge(Moments(n, batch_mean, batch_m2))

    def merge(self, other: Moments) -> None:
        if other.count == 0:
            return
        total = self.count + other.count
        delta = other.mean - self.mean
        self.mean += delta * other.count / total
        self.m2 += other.m2 + delta * delta * self.count * other.count / total
        self.count = total

    def stddev(self) -> float | None:
        """Sample standard deviation (n - 1); None below two values."""
        if self.count < 2:
            return None
        return math.sqrt(self.m2 / (self.count - 1))

    def mean_or_none(self) -> float | None:
        return self.mean if self.count else None


@dataclass
class LengthStats:
    """Min / max / total length of the strings seen."""

    count: int = 0
    min: int | None = None
    max: int | None = None
    total: int = 0

    def update(self, lengths: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Add lengths, each once or ``counts[i]`` times."""
        if lengths.size == 0:
            return
        if counts is None:
            count, total = int(lengths.size), int(lengths.sum())
        else:
            count, total = int(counts.sum()), int(np.dot(lengths, counts))
        self.merge(LengthStats(count, int(lengths.min()), int(lengths.max()), total))

    def merge(self, other: LengthStats) -> None:
        if other.count == 0:
            return
        self.min = other.min if self.min is None else min(self.min, other.min or 0)
        self.max = other.max if self.max is None else max(self.max, other.max or 0)
        self.count += other.count
        self.total += other.total

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None
