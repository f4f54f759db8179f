"""Gauges and counters other features publish into the snapshot by catalogue name."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.metrics_core import Metric

from agent.snapshot import ResultsSnapshot
from exporter.catalogue import spec
from exporter.collectors import collector
from exporter.families import counter, gauge


@collector("published")
def collect_published(snapshot: ResultsSnapshot) -> Iterable[Metric]:
    for name, samples in sorted(snapshot.published().items()):
        entry = spec(name)
        family = counter(name) if entry.type == "counter" else gauge(name)
        for labels, value in samples:
            family.add_metric([labels.get(label, "") for label in entry.labels], value)
        yield family
