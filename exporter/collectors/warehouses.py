"""dq_warehouse_*: the agent's view of each warehouse."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.metrics_core import Metric

from agent.snapshot import ResultsSnapshot
from exporter.collectors import collector
from exporter.families import counter, gauge, histogram


@collector("warehouses")
def collect_warehouses(snapshot: ResultsSnapshot) -> Iterable[Metric]:
    up = gauge("dq_warehouse_up")
    durations = histogram("dq_warehouse_query_duration_seconds")
    errors = counter("dq_warehouse_query_errors")
    for name, stats in sorted(snapshot.warehouses.items()):
        with stats.lock:
            up.add_metric([name], 1.0 if stats.up else 0.0)
            durations.add_metric(
                [name], stats.durations.cumulative_buckets(), sum_value=stats.durations.total
            )
            for reason in ("timeout", "connection", "query", "refused"):
                errors.add_metric([name, reason], float(stats.errors.get(reason, 0)))
    yield from (up, durations, errors)
