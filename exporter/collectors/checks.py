"""dq_check_*: the latest outcome of every configured check."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.metrics_core import Metric

from agent.checks.base import build_check
from agent.checks.results import Status, numeric
from agent.snapshot import ResultsSnapshot
from exporter.catalogue import CHECK_STATES
from exporter.collectors import collector
from exporter.families import counter, gauge, stateset


@collector("checks")
def collect_checks(snapshot: ResultsSnapshot) -> Iterable[Metric]:
    success = gauge("dq_check_success")
    status = stateset("dq_check_status")
    observed = gauge("dq_check_observed_value")
    expected_min = gauge("dq_check_expected_min")
    expected_max = gauge("dq_check_expected_max")
    unexpected = gauge("dq_check_unexpected_ratio")
    last_run = gauge("dq_check_last_run_timestamp_seconds")
    duration = gauge("dq_check_duration_seconds")
    consecutive = gauge("dq_check_consecutive_failures")
    runs = counter("dq_check_runs")
    threshold = gauge("dq_check_alert_threshold")
    for state in snapshot.copy_datasets():
        for spec in state.config.check_specs():
            name = build_check(spec).name
            if name in state.check_names:
                threshold.add_metric([state.warehouse, state.name, name], float(spec.alert_after))
        for name, result in sorted(state.results.items()):
            labels = [state.warehouse, state.name, name, result.check_type, result.column,
                      result.severity]
            outcome = result.outcome
            success.add_metric(labels, 1.0 if result.status == Status.PASS else 0.0)
            status.add_metric(labels, {s: s == result.status.value for s in CHECK_STATES})
            for family, value in (
                (observed, outcome.observed_value), (expected_min, outcome.expected_min),
                (expected_max, outcome.expected_max), (unexpected, outcome.unexpected_ratio),
            ):
                number = numeric(value)
                if number is not None:
                    family.add_metric(labels, number)
            last_run.add_metric(labels, result.started_at.timestamp())
            duration.add_metric(labels, result.duration_seconds)
            consecutive.add_metric(labels, float(state.consecutive_failures.get(name, 0)))
            for state_name in CHECK_STATES:
                runs.add_metric([*labels, state_name],
                                float(state.runs_total.get((name, state_name), 0)))
    yield from (success, status, observed, expected_min, expected_max, unexpected, last_run,
                duration, consecutive, runs, threshold)
