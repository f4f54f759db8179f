"""Judging a run's schema_drift checks against the previous run's snapshots, and their gauges."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from agent.checks.results import CheckResult, Severity
from agent.checks.runner import DatasetRun, status_of
from agent.schema.diff import SEVERITIES, judge
from agent.schema.snapshot import ColumnInfo

if TYPE_CHECKING:
    from agent.snapshot import ResultsSnapshot
    from agent.store.history import StoredRun

CHECK_TYPE = "schema_drift"


def previous_schemas(runs: Iterable[StoredRun]) -> dict[str, list[ColumnInfo]]:
    """The newest stored snapshot of every schema_drift check, from runs newest first."""
    found: dict[str, list[ColumnInfo]] = {}
    for run in runs:
        for result in run.results:
            schema = result.outcome.details.get("schema")
            if result.check_type == CHECK_TYPE and result.check not in found and schema:
                found[result.check] = [ColumnInfo.from_json(item) for item in schema]
    return found


def apply_drift(run: DatasetRun, previous: dict[str, list[ColumnInfo]]) -> DatasetRun:
    """``run`` with its schema_drift results judged against the previous snapshots."""
    results: list[CheckResult] = []
    for result in run.results:
        schema = result.outcome.details.get("schema")
        if result.check_type != CHECK_TYPE or schema is None:
            results.append(result)
            continue
        columns = [ColumnInfo.from_json(item) for item in schema]
        outcome = judge(columns, previous.get(result.check), result.outcome.details["fail_on"])
        results.append(dataclasses.replace(
            result, outcome=outcome, status=status_of(outcome, Severity(result.severity))))
    return dataclasses.replace(run, results=results)


def publish_schema(snapshot: ResultsSnapshot, run: DatasetRun) -> None:
    """dq_schema_columns of the latest snapshot; dq_schema_changes_total grows by the changes.

    Every kind of change starts at 0 with the first snapshot, so that the first change of a
    kind is an increase Prometheus sees (increase() needs a sample before it)."""
    labels = {"warehouse": run.warehouse, "dataset": run.dataset}
    counts = {tuple(sorted(key.items())): value
              for key, value in snapshot.published().get("dq_schema_changes", [])}
    for result in run.results:
        if result.check_type != CHECK_TYPE or "schema" not in result.outcome.details:
            continue
        snapshot.publish("dq_schema_columns", run.dataset, labels,
                         float(len(result.outcome.details["schema"])))
        for kind, severity in SEVERITIES.items():
            zero = {**labels, "change": kind,
                    "breaking": "true" if severity == Severity.CRITICAL else "false"}
            if tuple(sorted(zero.items())) not in counts:
                counts[tuple(sorted(zero.items()))] = 0.0
                snapshot.publish("dq_schema_changes", run.dataset, zero, 0.0)
        for change in result.outcome.details.get("changes", []):
            key = {**labels, "change": change["change"],
                   "breaking": "true" if change["breaking"] else "false"}
            total = counts.get(tuple(sorted(key.items())), 0.0) + 1.0
            counts[tuple(sorted(key.items()))] = total
            snapshot.publish("dq_schema_changes", run.dataset, key, total)
