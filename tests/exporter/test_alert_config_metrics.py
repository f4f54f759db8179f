"""The alert settings the control plane reads: dq_check_alert_threshold per check (alert_after,
a rule's sla_threshold) and the channels label of dq_dataset_info (alerting.channels, a rule's
channels)."""

from __future__ import annotations

from pathlib import Path

from agent.config.loader import load_config
from agent.config.models import Config
from agent.snapshot import ResultsSnapshot
from exporter.catalogue import BY_NAME
from tests.agent.rules.test_rule_run import RULE
from tests.exporter.test_collector import scrape


def test_threshold_and_channels_from_the_config() -> None:
    config = Config.model_validate({
        "warehouses": {"w": {"url": "duckdb:///x.db"}},
        "datasets": {
            "orders": {"table": "orders", "team": "sales",
                       "alerting": {"channels": ["slack:sales", "email:ops@example.com"]},
                       "checks": [{"type": "row_count", "min": 1, "alert_after": 3},
                                  {"type": "not_null", "column": "id"}]},
            "refunds": {"table": "refunds", "checks": [{"type": "row_count", "min": 1}]},
        },
    })
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config)
    samples = scrape(snapshot)
    thresholds = {(s[0]["dataset"], s[0]["check"]): s[1]
                  for s in samples["dq_check_alert_threshold"]}
    assert thresholds == {("orders", "row_count"): 3.0, ("orders", "not_null_id"): 1.0,
                          ("refunds", "row_count"): 1.0}
    assert set(samples["dq_check_alert_threshold"][0][0]) == set(
        BY_NAME["dq_check_alert_threshold"].labels)
    info = {s[0]["dataset"]: s[0] for s in samples["dq_dataset_info"]}
    assert info["orders"]["channels"] == "email:ops@example.com,slack:sales"
    assert info["refunds"]["channels"] == ""


def test_a_rule_files_alert_config_reaches_the_exposition(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "users.yaml").write_text(RULE.format(dataset="main.users"))
    path = tmp_path / "dq.yaml"
    path.write_text(f"warehouses:\n  w: {{url: 'duckdb:///{tmp_path / 'w.db'}'}}\nrules: [rules]\n")
    snapshot = ResultsSnapshot()
    snapshot.apply_config(load_config(path))
    samples = scrape(snapshot)
    thresholds = {s[0]["check"]: s[1] for s in samples["dq_check_alert_threshold"]}
    assert len(thresholds) == 5 and set(thresholds.values()) == {2.0}  # sla_threshold: 2
    (info,) = samples["dq_dataset_info"]
    assert info[0]["dataset"] == "user_table_freshness_check"
    assert info[0]["channels"] == "email:data-team@company.com,slack:data-team"


def test_a_removed_check_loses_its_threshold() -> None:
    def config(checks: list[dict[str, object]]) -> Config:
        return Config.model_validate({"warehouses": {"w": {"url": "duckdb:///x.db"}},
                                      "datasets": {"orders": {"table": "orders",
                                                              "checks": checks}}})

    snapshot = ResultsSnapshot()
    snapshot.apply_config(config([{"type": "row_count", "min": 1, "alert_after": 2},
                                  {"type": "not_null", "column": "id", "alert_after": 4}]))
    snapshot.apply_config(config([{"type": "not_null", "column": "id", "alert_after": 4}]))
    thresholds = {s[0]["check"]: s[1] for s in scrape(snapshot)["dq_check_alert_threshold"]}
    assert thresholds == {"not_null_id": 4.0}
