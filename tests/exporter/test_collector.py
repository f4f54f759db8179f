"""The Collector: catalogue names, values from the snapshot, stale series removed."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from agent.checks.results import CheckResult, Outcome, Status
from agent.config.models import Config
from agent.snapshot import ResultsSnapshot
from exporter.catalogue import BY_NAME, CATALOGUE
from exporter.collector import SnapshotCollector


def config(checks: list[dict[str, object]]) -> Config:
    return Config.model_validate({
        "warehouses": {"w": {"url": "duckdb:///x.db"}},
        "datasets": {"orders": {"table": "orders", "team": "sales", "owner": "o@example.com",
                                "upstream": ["customers"], "checks": checks}},
    })


def result(check: str, status: Status, observed: float) -> CheckResult:
    return CheckResult(
        warehouse="w", dataset="orders", check=check, check_type="not_null", column="id",
        severity="critical", dimension="completeness", status=status,
        outcome=Outcome(success=status == Status.PASS, observed_value=observed, expected_min=0.0,
                        expected_max=0.01, unexpected_ratio=observed),
        started_at=datetime(2026, 1, 1, tzinfo=UTC), duration_seconds=0.25,
    )


def scrape(snapshot: ResultsSnapshot) -> dict[str, list[tuple[dict[str, str], float]]]:
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot))
    text = generate_latest(registry).decode()
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


CHECKS = [{"type": "not_null", "column": "id", "name": "ids"},
          {"type": "not_null", "column": "id", "name": "ids_again"}]


def test_values_and_labels_from_snapshot() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config(CHECKS))
    snapshot.record("orders", [result("ids", Status.FAIL, 0.2), result("ids_again", Status.PASS, 0)],
                    started_at=1.0, duration=0.5, row_count=42, freshness_seconds=None)
    samples = scrape(snapshot)
    success = {s[0]["check"]: s[1] for s in samples["dq_check_success"]}
    assert success == {"ids": 0.0, "ids_again": 1.0}
    labels = samples["dq_check_success"][0][0]
    assert labels == {"warehouse": "w", "dataset": "orders", "check": labels["check"],
                      "check_type": "not_null", "column": "id", "severity": "critical"}
    status = {(s[0]["check"], s[0]["dq_check_status"]): s[1] for s in samples["dq_check_status"]}
    assert status[("ids", "fail")] == 1.0 and status[("ids", "pass")] == 0.0
    observed = {s[0]["check"]: s[1] for s in samples["dq_check_observed_value"]}
    assert observed["ids"] == 0.2
    runs = {(s[0]["check"], s[0]["result"]): s[1] for s in samples["dq_check_runs_total"]}
    assert runs[("ids", "fail")] == 1.0 and runs[("ids", "pass")] == 0.0
    assert samples["dq_dataset_row_count"][0][1] == 42
    info = samples["dq_dataset_info"][0][0]
    assert info["team"] == "sales" and info["owner"] == "o@example.com"
    assert samples["dq_lineage_edge"][0][0]["upstream"] == "customers"
    assert samples["dq_check_last_run_timestamp_seconds"][0][1] == datetime(
        2026, 1, 1, tzinfo=UTC).timestamp()
    assert {s[0]["collector"] for s in samples["dq_collector_success"]} >= {"checks", "datasets"}


def test_removed_check_disappears() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config(CHECKS))
    snapshot.record("orders", [result("ids", Status.FAIL, 0.2), result("ids_again", Status.PASS, 0)],
                    started_at=1.0, duration=0.5, row_count=42, freshness_seconds=None)
    snapshot.apply_config(config(CHECKS[:1]))
    checks = {s[0]["check"] for s in scrape(snapshot)["dq_check_success"]}
    assert checks == {"ids"}


def test_consecutive_failures_count_and_reset() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config(CHECKS[:1]))
    for status in (Status.FAIL, Status.FAIL, Status.FAIL):
        snapshot.record("orders", [result("ids", status, 0.2)], started_at=1.0, duration=0.1,
                        row_count=1, freshness_seconds=None)
    assert scrape(snapshot)["dq_check_consecutive_failures"][0][1] == 3
    snapshot.record("orders", [result("ids", Status.PASS, 0)], started_at=2.0, duration=0.1,
                    row_count=1, freshness_seconds=None)
    assert scrape(snapshot)["dq_check_consecutive_failures"][0][1] == 0


def test_every_family_is_in_the_catalogue_with_its_help() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config(CHECKS))
    snapshot.record("orders", [result("ids", Status.FAIL, 0.2)], started_at=1.0, duration=0.1,
                    row_count=1, freshness_seconds=3.0)
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot))
    seen = set()
    for family in registry.collect():
        assert family.name in BY_NAME, family.name
        assert family.documentation == BY_NAME[family.name].help
        seen.add(family.name)
    assert "dq_dataset_freshness_seconds" in seen and "dq_build_info" in seen
    assert {spec.name for spec in CATALOGUE if spec.type == "stateset"} <= seen


def test_openmetrics_exposition() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config(CHECKS[:1]))
    snapshot.record("orders", [result("ids", Status.PASS, 0)], started_at=1.0, duration=0.1,
                    row_count=1, freshness_seconds=None)
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot))
    text = generate_openmetrics(registry).decode()
    assert text.endswith("# EOF\n")
    assert "# TYPE dq_check_status stateset" in text
