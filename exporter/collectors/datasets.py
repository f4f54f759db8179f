"""dq_dataset_* and dq_lineage_edge: volume, freshness, metadata and lineage of each dataset."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.metrics_core import Metric

from agent.alerting.channels import channels_label
from agent.sla.config import sla_seconds
from agent.snapshot import ResultsSnapshot
from exporter.collectors import collector
from exporter.families import gauge


@collector("datasets")
def collect_datasets(snapshot: ResultsSnapshot) -> Iterable[Metric]:
    rows = gauge("dq_dataset_row_count")
    freshness = gauge("dq_dataset_freshness_seconds")
    freshness_sla = gauge("dq_dataset_freshness_sla_seconds")
    last_run = gauge("dq_dataset_last_run_timestamp_seconds")
    interval = gauge("dq_dataset_schedule_interval_seconds")
    duration = gauge("dq_dataset_run_duration_seconds")
    run_success = gauge("dq_dataset_run_success")
    info = gauge("dq_dataset_info")
    lineage = gauge("dq_lineage_edge")
    for state in snapshot.copy_datasets():
        labels = [state.warehouse, state.name]
        config = state.config
        info.add_metric([*labels, config.table, config.owner, config.team, config.tier,
                         config.criticality, channels_label(config.alerting.channels)], 1.0)
        interval.add_metric(labels, config.schedule.nominal_interval)
        sla = sla_seconds(config)
        if sla is not None:
            freshness_sla.add_metric(labels, sla)
        for upstream in config.upstream:
            lineage.add_metric([*labels, upstream], 1.0)
        if state.row_count is not None:
            rows.add_metric(labels, float(state.row_count))
        if state.freshness_seconds is not None:
            freshness.add_metric(labels, state.freshness_seconds)
        if state.last_run_at is not None:
            last_run.add_metric(labels, state.last_run_at)
        if state.last_run_duration is not None:
            duration.add_metric(labels, state.last_run_duration)
        if state.last_run_success is not None:
            run_success.add_metric(labels, 1.0 if state.last_run_success else 0.0)
    yield from (rows, freshness, freshness_sla, last_run, interval, duration, run_success, info, lineage)
