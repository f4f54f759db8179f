"""Anomaly verdicts into the snapshot (dq_anomaly_* gauges) and rows for the history store."""

from __future__ import annotations

from typing import Any

from agent.anomaly.monitor import Verdict
from agent.snapshot import ResultsSnapshot

FAMILIES = ("dq_anomaly_score", "dq_anomaly_expected_value", "dq_anomaly_lower_bound",
            "dq_anomaly_upper_bound", "dq_anomaly_detected")


def publish_verdicts(
    snapshot: ResultsSnapshot, warehouse: str, dataset: str, verdicts: list[Verdict],
    columns: dict[str, str],
) -> None:
    """Replace the dataset's anomaly gauges with ``verdicts``."""
    for family in FAMILIES:
        snapshot.clear_published(family, dataset)
    for verdict in verdicts:
        result = verdict.result
        labels = {"warehouse": warehouse, "dataset": dataset, "metric": verdict.series.name,
                  "check": verdict.series.check, "column": columns.get(verdict.series.check, "")}
        snapshot.publish("dq_anomaly_score", dataset, labels, result.score)
        snapshot.publish("dq_anomaly_expected_value", dataset, labels, result.expected)
        snapshot.publish("dq_anomaly_lower_bound", dataset, labels, result.lower)
        snapshot.publish("dq_anomaly_upper_bound", dataset, labels, result.upper)
        snapshot.publish(
            "dq_anomaly_detected", dataset,
            {**labels, "severity": result.severity, "type": result.type},
            1.0 if result.is_anomaly else 0.0,
        )


def detection_rows(verdicts: list[Verdict]) -> list[dict[str, Any]]:
    return [
        {"metric": v.series.name, "observed": v.result.observed, "expected": v.result.expected,
         "lower": v.result.lower, "upper": v.result.upper, "score": v.result.score,
         "confidence": v.result.confidence, "severity": v.result.severity,
         "type": v.result.type, "method": v.result.method, "is_anomaly": v.result.is_anomaly}
        for v in verdicts
    ]
