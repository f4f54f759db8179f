"""The JSON of a rule run (``dq-agent check --rules ... --format json``)."""

from __future__ import annotations

from typing import Any

from agent.checks.results import CheckResult, Status
from agent.rules.runner import RuleRun

_GE_FIELDS = ("element_count", "missing_count", "unexpected_count")
_DETAIL_FIELDS = ("partial_unexpected_list", "unexpected_list", "unexpected_list_error",
                  "failing_rows", "failing_rows_error")


def result_json(result: CheckResult) -> dict[str, Any]:
    """One expectation's result: Great Expectations' field names, only those that apply."""
    outcome = result.to_json()
    data: dict[str, Any] = {"expectation": result.check_type}
    if result.column:
        data["column"] = result.column
    data["success"] = result.status in (Status.PASS, Status.WARN)
    data["observed_value"] = outcome["observed_value"]
    if "expected_value" in outcome:
        data["expected_value"] = outcome["expected_value"]
    elif outcome.get("expected_range") not in (None, [None, None]):
        data["expected_range"] = outcome["expected_range"]
    for key in _GE_FIELDS:
        if outcome.get(key) is not None:
            data[key] = outcome[key]
    if outcome.get("unexpected_percent") is not None:
        data["unexpected_percent"] = outcome["unexpected_percent"]
    details = result.outcome.details
    for key in _DETAIL_FIELDS:
        if key in details:
            data[key] = details[key]
    if result.status == Status.ERROR:
        data["exception_info"] = {"raised_exception": True}
    message = outcome.get("error")
    if message and not data["success"]:
        data["error"] = message
    if result.check != _default_name(result):
        data["name"] = result.check
    data["severity"] = result.severity
    return data


def _default_name(result: CheckResult) -> str:
    return f"{result.check_type}_{result.column}" if result.column else result.check_type


def rule_run_json(rule_run: RuleRun) -> dict[str, Any]:
    rule = rule_run.rule
    data: dict[str, Any] = {
        "validation_run_id": rule_run.run.run_id,
        "status": "error" if rule_run.errored else "completed",
        "overall_result": "success" if rule_run.success else "failure",
        "rule_id": rule.rule_id,
        "dataset": rule.dataset,
        "execution_time_ms": round(rule_run.execution_time_ms),
        "run_time": rule_run.run.started_at.isoformat(),
        "results": [result_json(result) for result in rule_run.results],
        "alert_triggered": rule_run.alert_triggered,
    }
    if rule_run.rule_version is not None:
        data["rule_version"] = rule_run.rule_version
    if rule.tags:
        data["tags"] = dict(rule.tags)
    if rule_run.alert_triggered and rule.alert_config.channels:
        data["alert_channels"] = list(rule.alert_config.channels)
    return data
