"""rules/, alertmanager/ and grafana/ use only metric and label names the catalogue defines
(plus names the rules themselves record or attach, and Prometheus' own up and ALERTS)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from exporter.catalogue import all_label_names, all_series_names
from tests.exporter.promql_names import Names, label_matcher_names, names
from tests.grafana.dashboards import dashboards, label_values_query, panels, queries

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_OWN_METRICS = {"up", "ALERTS", "ALERTS_FOR_STATE"}
ALERT_LABELS = {"alertname", "alertstate"}


def _rule_groups() -> list[tuple[str, dict[str, Any]]]:
    files = [*sorted((REPO / "rules").glob("*.yml")),
             *sorted((REPO / "rules" / "tests" / "fixtures").glob("*.yml"))]
    return [
        (path.name, rule)
        for path in files
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group.get("rules") or []
    ]


RULES = _rule_groups()
RECORDED = {rule["record"] for _, rule in RULES if "record" in rule}
RULE_LABELS = (
    {label for _, rule in RULES for label in (rule.get("labels") or {})}
    | {label for _, rule in RULES for label in names(rule["expr"]).written_labels}
)
ALLOWED_METRICS = all_series_names() | RECORDED | PROMETHEUS_OWN_METRICS
ALLOWED_LABELS = all_label_names() | RULE_LABELS | ALERT_LABELS


def _problems(where: str, found: Names) -> list[str]:
    problems = [f"{where}: metric {m!r}" for m in sorted(found.metrics - ALLOWED_METRICS)]
    problems += [f"{where}: label {lb!r}" for lb in sorted(found.labels - ALLOWED_LABELS)]
    return problems


def test_checker_rejects_unknown_names() -> None:
    """The check itself can fail: an invented metric and label are reported."""
    found = names('sum by (colour) (dq_made_up_total{shade="x"}) / dq_check_success')
    assert _problems("example", found) == [
        "example: metric 'dq_made_up_total'", "example: label 'colour'", "example: label 'shade'",
    ]
    replaced = names('label_replace(up, "dst", "$1", "src", "(.*)")')
    assert replaced.written_labels == {"dst"} and replaced.labels == {"src"}


def test_rules_use_catalogue_names() -> None:
    problems: list[str] = []
    for file_name, rule in RULES:
        where = f"rules/{file_name} {rule.get('record') or rule.get('alert')}"
        problems += _problems(where, names(rule["expr"]))
        for text in (rule.get("annotations") or {}).values():
            for label in re.findall(r"\$labels\.(\w+)", str(text)):
                if label not in ALLOWED_LABELS:
                    problems.append(f"{where}: annotation label {label!r}")
    assert not problems, "\n".join(problems)


def _routes(route: dict[str, Any]) -> list[dict[str, Any]]:
    return [route, *(r for child in route.get("routes") or [] for r in _routes(child))]


def test_alertmanager_uses_catalogue_names() -> None:
    config = yaml.safe_load((REPO / "alertmanager" / "alertmanager.yml").read_text())
    used: set[str] = set()
    for route in _routes(config["route"]):
        used |= label_matcher_names(route.get("matchers") or [])
        used |= set(route.get("group_by") or [])
    for rule in config["inhibit_rules"]:
        used |= label_matcher_names(rule["source_matchers"] + rule["target_matchers"])
        used |= set(rule.get("equal") or [])
    for template in (REPO / "alertmanager" / "templates").glob("*.tmpl"):
        used |= set(re.findall(r"\.(?:Common)?Labels\.(\w+)", template.read_text()))
    alert_names = {rule["alert"] for _, rule in RULES if "alert" in rule}
    matched_names = set(re.findall(r'alertname=~?"([^"]+)"', (REPO / "alertmanager" /
                                                               "alertmanager.yml").read_text()))
    assert not used - ALLOWED_LABELS, sorted(used - ALLOWED_LABELS)
    for pattern in matched_names:
        assert any(re.fullmatch(pattern, name) for name in alert_names), (
            f"alertmanager matcher alertname {pattern!r} matches no alert in rules/"
        )


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_grafana_uses_catalogue_names(name: str) -> None:
    dashboard = dashboards()[name]
    problems: list[str] = []
    for where, expr in queries(dashboard):
        lv = label_values_query(expr)
        if lv:
            selector, label = lv
            found = names(selector)
            found.labels.add(label)
        else:
            found = names(expr)
        problems += _problems(f"{name} {where}", found)
    for panel in panels(dashboard):
        for target in panel["targets"]:
            for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")):
                if label not in ALLOWED_LABELS:
                    problems.append(f"{name} {panel['title']!r}: legend label {label!r}")
    assert not problems, "\n".join(problems)
