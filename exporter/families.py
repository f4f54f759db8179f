"""Metric families built from catalogue entries, so names, HELP and labels cannot drift."""

from __future__ import annotations

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    StateSetMetricFamily,
)

from exporter.catalogue import spec


def gauge(name: str) -> GaugeMetricFamily:
    entry = spec(name)
    assert entry.type == "gauge", f"{name} is a {entry.type}"
    return GaugeMetricFamily(name, entry.help, labels=list(entry.labels))


def counter(name: str) -> CounterMetricFamily:
    entry = spec(name)
    assert entry.type == "counter", f"{name} is a {entry.type}"
    return CounterMetricFamily(name, entry.help, labels=list(entry.labels))


def stateset(name: str) -> StateSetMetricFamily:
    entry = spec(name)
    assert entry.type == "stateset", f"{name} is a {entry.type}"
    return StateSetMetricFamily(name, entry.help, labels=list(entry.labels))


def histogram(name: str) -> HistogramMetricFamily:
    entry = spec(name)
    assert entry.type == "histogram", f"{name} is a {entry.type}"
    return HistogramMetricFamily(name, entry.help, labels=list(entry.labels))
