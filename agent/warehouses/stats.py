"""What the agent knows about a warehouse's health, read by the exporter at scrape time."""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

QUERY_DURATION_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
)


@dataclass
class HistogramData:
    """Cumulative-at-read histogram of observations (bucket counts are per bucket internally)."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1

    def cumulative_buckets(self) -> list[tuple[str, int]]:
        running, buckets = 0, []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return buckets


@dataclass
class WarehouseStats:
    name: str
    up: bool = False
    waiting: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    durations: HistogramData = field(default_factory=lambda: HistogramData(QUERY_DURATION_BUCKETS))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_success(self, seconds: float) -> None:
        with self.lock:
            self.up = True
            self.durations.observe(seconds)

    def record_error(self, reason: str, seconds: float, *, reachable: bool) -> None:
        with self.lock:
            self.up = reachable
            self.errors[reason] = self.errors.get(reason, 0) + 1
            self.durations.observe(seconds)
