"""Compliance of a dataset with its freshness SLA, from the history store into the snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.sla.compliance import compliance
from agent.sla.config import sla_seconds, sla_windows, window_label

if TYPE_CHECKING:
    from agent.config.models import DatasetConfig
    from agent.snapshot import ResultsSnapshot
    from agent.store.history import HistoryStore

COMPLIANCE_FAMILY = "dq_dataset_freshness_sla_compliance_ratio"
FRESHNESS_SERIES = ("", "freshness_seconds")  # (check, metric) of the stored dataset age


def coverage_horizon(dataset: DatasetConfig) -> float:
    """How long one observation vouches for: twice the schedule interval plus the jitter (the
    DataQualityChecksNotRunning threshold), so a missed run leaves no gap but an outage does."""
    return 2.0 * dataset.schedule.nominal_interval + dataset.jitter


def compliance_ratios(
    store: HistoryStore, name: str, dataset: DatasetConfig, now: float
) -> dict[str, float | None]:
    """``{window label: ratio}`` for every window of the dataset's SLA; {} without an SLA."""
    sla = sla_seconds(dataset)
    if sla is None:
        return {}
    windows = sla_windows(dataset)
    horizon = coverage_horizon(dataset)
    check, metric = FRESHNESS_SERIES
    points = store.series_since(name, check, metric, now - max(windows) - horizon)
    return {
        window_label(window): compliance(points, sla, now - window, now, horizon).ratio
        for window in windows
    }


def publish_compliance(
    snapshot: ResultsSnapshot, warehouse: str, dataset: str, ratios: dict[str, float | None]
) -> None:
    """Replace the dataset's dq_dataset_freshness_sla_compliance_ratio gauges with ``ratios``."""
    snapshot.clear_published(COMPLIANCE_FAMILY, dataset)
    for window, ratio in ratios.items():
        if ratio is not None:
            snapshot.publish(COMPLIANCE_FAMILY, dataset,
                             {"warehouse": warehouse, "dataset": dataset, "window": window}, ratio)
