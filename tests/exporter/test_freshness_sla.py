"""dq_dataset_freshness_sla_seconds and dq_dataset_freshness_sla_compliance_ratio on /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agent.config.models import Config
from agent.sla.service import publish_compliance
from agent.snapshot import ResultsSnapshot
from exporter.catalogue import spec
from exporter.collector import SnapshotCollector

FRESHNESS = {"type": "freshness", "column": "updated_at", "max_age": "2h"}


def snapshot_of(datasets: dict[str, dict[str, object]]) -> ResultsSnapshot:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(Config.model_validate(
        {"warehouses": {"w": {"url": "duckdb:///x.db"}}, "datasets": datasets}))
    return snapshot


def scrape(snapshot: ResultsSnapshot) -> dict[str, list[tuple[dict[str, str], float]]]:
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot))
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def test_sla_next_to_freshness_with_the_same_labels() -> None:
    snapshot = snapshot_of({
        "orders": {"table": "orders", "checks": [FRESHNESS]},
        "events": {"table": "events", "checks": [FRESHNESS], "freshness_sla": "30m"},
        "plain": {"table": "plain", "checks": [{"type": "row_count", "min": 1}]},
    })
    snapshot.record("orders", [], started_at=1.0, duration=0.1, row_count=None,
                    freshness_seconds=600.0)
    samples = scrape(snapshot)
    sla = {labels["dataset"]: (labels, value)
           for labels, value in samples["dq_dataset_freshness_sla_seconds"]}
    assert set(sla) == {"orders", "events"}  # no SLA without a freshness check
    assert sla["orders"] == ({"warehouse": "w", "dataset": "orders"}, 7200.0)
    assert sla["events"][1] == 1800.0
    (freshness,) = samples["dq_dataset_freshness_seconds"]
    assert set(freshness[0]) == set(sla["orders"][0])  # the recording rules compare them 1:1


def test_compliance_ratio_per_window() -> None:
    snapshot = snapshot_of({"orders": {"table": "orders", "checks": [FRESHNESS]}})
    assert "dq_dataset_freshness_sla_compliance_ratio" not in scrape(snapshot)
    publish_compliance(snapshot, "w", "orders", {"1d": 0.25, "7d": 0.5, "30d": None})
    ratios = scrape(snapshot)["dq_dataset_freshness_sla_compliance_ratio"]
    assert sorted(ratios, key=lambda s: s[0]["window"]) == [
        ({"warehouse": "w", "dataset": "orders", "window": "1d"}, 0.25),
        ({"warehouse": "w", "dataset": "orders", "window": "7d"}, 0.5),
    ]
    assert spec("dq_dataset_freshness_sla_compliance_ratio").labels == (
        "warehouse", "dataset", "window")


def test_removed_dataset_loses_its_sla_series() -> None:
    snapshot = snapshot_of({"orders": {"table": "orders", "checks": [FRESHNESS]}})
    publish_compliance(snapshot, "w", "orders", {"1d": 1.0})
    snapshot.apply_config(Config.model_validate(
        {"warehouses": {"w": {"url": "duckdb:///x.db"}}, "datasets": {}}))
    samples = scrape(snapshot)
    assert "dq_dataset_freshness_sla_seconds" not in samples
    assert "dq_dataset_freshness_sla_compliance_ratio" not in samples
