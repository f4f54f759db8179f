"""Agent health: build, config reloads, scheduler and store."""

from __future__ import annotations

import platform
from collections.abc import Iterable

from prometheus_client.metrics_core import Metric

from agent import __version__
from agent.snapshot import ResultsSnapshot
from exporter.collectors import collector
from exporter.families import counter, gauge, histogram


@collector("agent")
def collect_agent(snapshot: ResultsSnapshot) -> Iterable[Metric]:
    build = gauge("dq_build_info")
    build.add_metric([__version__, platform.python_version()], 1.0)
    reload_ok = gauge("dq_config_last_reload_successful")
    reload_ok.add_metric([], 1.0 if snapshot.config_reload_successful else 0.0)
    yield from (build, reload_ok)
    if snapshot.config_reload_timestamp is not None:
        reload_ts = gauge("dq_config_last_reload_success_timestamp_seconds")
        reload_ts.add_metric([], snapshot.config_reload_timestamp)
        yield reload_ts
    scheduler = snapshot.scheduler
    lag = gauge("dq_scheduler_lag_seconds")
    for dataset, seconds in sorted(scheduler.lag_seconds.items()):
        lag.add_metric([dataset], seconds)
    misfires = counter("dq_scheduler_misfires")
    for (dataset, reason), count in sorted(scheduler.misfires.items()):
        misfires.add_metric([dataset, reason], float(count))
    running = gauge("dq_scheduler_running_runs")
    running.add_metric([], float(scheduler.running))
    queued = gauge("dq_scheduler_queued_runs")
    queued.add_metric([], float(sum(getattr(w, "waiting", 0) for w in snapshot.warehouses.values())))
    yield from (lag, misfires, running, queued)
    if snapshot.store_writes is not None:
        writes = histogram("dq_store_write_duration_seconds")
        writes.add_metric([], snapshot.store_writes.cumulative_buckets(),
                          sum_value=snapshot.store_writes.total)
        yield writes
