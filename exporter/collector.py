"""The Collector Prometheus scrapes: it reads the snapshot only, never the warehouse."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from agent.snapshot import ResultsSnapshot
from exporter.collectors import load_collectors
from exporter.families import gauge

log = logging.getLogger(__name__)


class SnapshotCollector(Collector):
    """Yields every registered collector's families, plus each one's success and duration."""

    def __init__(self, snapshot: ResultsSnapshot) -> None:
        self.snapshot = snapshot
        self.collectors = load_collectors()

    def collect(self) -> Iterable[Metric]:
        success = gauge("dq_collector_success")
        duration = gauge("dq_collector_duration_seconds")
        for name, function in sorted(self.collectors.items()):
            started = time.perf_counter()
            try:
                families = list(function(self.snapshot))
            except Exception:
                log.exception("collector %s failed", name)
                families, ok = [], False
            else:
                ok = True
            yield from families
            success.add_metric([name], 1.0 if ok else 0.0)
            duration.add_metric([name], time.perf_counter() - started)
        yield success
        yield duration
