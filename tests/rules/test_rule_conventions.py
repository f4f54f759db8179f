"""Conventions every rule must follow, and unit-test coverage of every rule."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.rules.rulefiles import RUNBOOK, alert_tests, expr_tests, rules

SEVERITIES = {"critical", "warning", "info"}
RECORD_NAME = re.compile(r"^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$")
RUNBOOK_URL = re.compile(r"^https://\S+/rules/runbook\.md#([a-z0-9-]+)$")
ALERTS = rules("alert")
RECORDS = rules("record")


def _static_labels(rule: dict[str, Any]) -> dict[str, str]:
    """The rule's labels that do not depend on the series (no template)."""
    return {k: str(v) for k, v in (rule.get("labels") or {}).items() if "{{" not in str(v)}


def _runbook_anchors() -> set[str]:
    anchors = set()
    for line in RUNBOOK.read_text().splitlines():
        if line.startswith("## "):
            anchors.add(re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-"))
    return anchors


def test_rule_files_define_the_issue_alerts() -> None:
    names = {rule["alert"] for rule in ALERTS}
    expected = {
        "CheckFailed", "CheckErroring", "DatasetStale", "AnomalyDetected",
        "SchemaChangeBreaking", "SchemaChangeAdditive", "QualityScoreLow", "SLOBurnRateHigh",
        "AgentDown", "WarehouseUnreachable", "ChecksNotRunning", "ConfigReloadFailed",
    }
    assert names == {f"DataQuality{name}" for name in expected}


@pytest.mark.parametrize("rule", ALERTS, ids=lambda r: r["alert"])
def test_alert_metadata(rule: dict[str, Any]) -> None:
    assert rule["alert"].startswith("DataQuality")
    severity = rule["labels"]["severity"]
    assert severity in SEVERITIES or severity == "{{ $labels.severity }}"
    annotations = rule["annotations"]
    assert annotations["summary"].strip()
    assert "{{" in annotations["description"], "description must template values"
    match = RUNBOOK_URL.match(annotations["runbook_url"])
    assert match, annotations["runbook_url"]
    assert match.group(1) in _runbook_anchors(), f"no runbook section #{match.group(1)}"


def test_runbook_urls_share_one_address_and_link_their_own_section() -> None:
    """One runbook address for all alerts (packaging/k8s/generate_prometheusrule.py
    --runbook-url swaps it for a deployment's copy), each alert linking to its own section."""
    addresses = {rule["annotations"]["runbook_url"].partition("#")[0] for rule in ALERTS}
    assert len(addresses) == 1, f"runbook_url addresses differ: {sorted(addresses)}"
    for rule in ALERTS:
        anchor = rule["annotations"]["runbook_url"].partition("#")[2]
        assert anchor == rule["alert"].lower(), f"{rule['alert']} links to #{anchor}"


def test_runbook_sections_are_complete() -> None:
    sections = RUNBOOK.read_text().split("\n## ")[1:]
    assert len(sections) >= len({rule["alert"] for rule in ALERTS})
    for section in sections:
        title = section.splitlines()[0]
        for part in ("**Meaning.**", "**Impact.**", "**Diagnosis.**", "**Fixes.**"):
            assert part in section, f"runbook section {title} lacks {part}"
        assert "```promql" in section, f"runbook section {title} has no diagnosis query"


@pytest.mark.parametrize("rule", RECORDS, ids=lambda r: r["record"])
def test_recording_rule_name_and_case(rule: dict[str, Any]) -> None:
    name = rule["record"]
    assert RECORD_NAME.match(name), f"{name} is not level:metric:operations"
    if name.endswith(":override"):
        return  # written by teams; exercised through check:dq_check_failure_threshold:max
    covered = [
        case for case in expr_tests()
        if case["expr"].strip() == name and case.get("exp_samples")
    ]
    assert covered, f"recording rule {name} has no promtool case with expected samples"


@pytest.mark.parametrize(
    "rule", ALERTS, ids=lambda r: f"{r['alert']}-{'-'.join(_static_labels(r).values())}"
)
def test_alert_has_firing_and_not_firing_case(rule: dict[str, Any]) -> None:
    name = rule["alert"]
    cases = [case for case in alert_tests() if case["alertname"] == name]
    assert any(not case.get("exp_alerts") for case in cases), f"{name}: no not-firing case"
    wanted = {k: v for k, v in _static_labels(rule).items()}
    firing = [
        alert
        for case in cases
        for alert in case.get("exp_alerts") or []
        if all(str(alert.get("exp_labels", {}).get(k)) == v for k, v in wanted.items())
    ]
    assert firing, f"{name} {wanted}: no firing case"
