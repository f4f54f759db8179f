"""From a rule file to the agent's own dataset config: every expectation becomes a check spec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from agent.checks.results import Severity
from agent.config.models import DatasetConfig
from agent.config.yaml_source import KeyPath
from agent.rules.aliases import canonical, rename_kwargs
from agent.rules.models import Expectation, RuleFile
from agent.rules.templates import TemplateError, render_value

_SEVERITIES = {
    "critical": Severity.CRITICAL, "high": Severity.CRITICAL, "error": Severity.CRITICAL,
    "warning": Severity.WARNING, "medium": Severity.WARNING, "warn": Severity.WARNING,
    "info": Severity.INFO, "low": Severity.INFO,
}


class RuleError(ValueError):
    """A rule that cannot be used; the message names the rule, the expectation and the fix.

    ``problems`` holds each problem's key path inside the rule and its message, so the loader
    can name the line of the rule file.
    """

    def __init__(self, message: str, problems: Sequence[tuple[KeyPath, str]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def severity_of(text: str | None, where: str) -> Severity:
    if text is None:
        return Severity.WARNING
    try:
        return _SEVERITIES[text.lower()]
    except KeyError:
        raise RuleError(
            f"{where}: severity {text!r} is unknown; use one of {', '.join(_SEVERITIES)}"
        ) from None


def check_spec_of(
    rule: RuleFile, index: int, expectation: Expectation, now: datetime
) -> dict[str, Any]:
    """The check spec (as a dict) of one expectation, templates rendered at ``now``."""
    where = f"rule {rule.rule_id}: expectations[{index}] ({expectation.expectation_type})"
    at: KeyPath = ("expectations", index)
    try:
        kwargs = render_value(dict(expectation.kwargs), now)
    except TemplateError as exc:
        raise RuleError(f"{where}: {exc}", [((*at, "kwargs"), str(exc))]) from None
    kwargs = rename_kwargs(expectation.expectation_type, kwargs)
    if expectation.column is not None:
        if "column" in kwargs and kwargs["column"] != expectation.column:
            message = (f"column is given twice ({expectation.column!r} and "
                       f"kwargs.column {kwargs['column']!r}); keep one")
            raise RuleError(f"{where}: {message}", [((*at, "kwargs", "column"), message)])
        kwargs["column"] = expectation.column
    for reserved in ("type", "name", "severity", "alert_after"):
        if reserved in kwargs:
            message = f"kwargs.{reserved} is reserved; set it on the expectation"
            if reserved == "alert_after":
                message = "kwargs.alert_after is reserved; set alert_config.sla_threshold"
            raise RuleError(f"{where}: {message}", [((*at, "kwargs", reserved), message)])
    spec: dict[str, Any] = {"type": canonical(expectation.expectation_type), **kwargs}
    spec["alert_after"] = rule.alert_config.sla_threshold
    severity = expectation.severity or rule.alert_config.severity
    try:
        spec["severity"] = severity_of(severity, where).value
    except RuleError as exc:
        key = (*at, "severity") if expectation.severity else ("alert_config", "severity")
        raise RuleError(str(exc), [(key, str(exc).removeprefix(f"{where}: "))]) from None
    if expectation.meta:
        spec.setdefault("meta", expectation.meta)
    return spec


def default_name(spec: dict[str, Any]) -> str:
    column = spec.get("column") or spec.get("column_A") or ""
    return f"{spec['type']}_{column}" if column else str(spec["type"])


def dataset_config(rule: RuleFile, now: datetime) -> DatasetConfig:
    """The rule as a DatasetConfig whose checks are named uniquely, in the rule's order."""
    specs: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, expectation in enumerate(rule.expectations):
        spec = check_spec_of(rule, index, expectation, now)
        name = expectation.name or default_name(spec)
        seen[name] = seen.get(name, 0) + 1
        spec["name"] = name if seen[name] == 1 else f"{name}_{seen[name]}"
        specs.append(spec)
    data: dict[str, Any] = {"table": rule.dataset, "checks": specs}
    alert_config = rule.alert_config
    if alert_config.channels or alert_config.dedupe_window is not None:
        data["alerting"] = {"channels": list(alert_config.channels),
                            "dedupe_window": alert_config.dedupe_window}
    if rule.where:
        data["where"] = rule.where
    if rule.warehouse:
        data["warehouse"] = rule.warehouse
    if rule.schedule:
        data["schedule"] = rule.schedule
    if rule.failing_row_samples is not None:
        data["failing_row_samples"] = rule.failing_row_samples
    for key in ("team", "owner", "criticality", "tier"):
        if key in rule.tags:
            data[key] = rule.tags[key]
    try:
        return DatasetConfig.model_validate(data)
    except ValidationError as exc:
        raise describe(rule, exc) from None


def describe(rule: RuleFile, exc: ValidationError) -> RuleError:
    """The validation problems of a rule's checks, each placed at its key in the rule file."""
    lines = [f"rule {rule.rule_id}: {exc.error_count()} problem(s):"]
    problems: list[tuple[KeyPath, str]] = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        place = ".".join(str(part) for part in loc)
        key_path: KeyPath = tuple(loc)
        what = ""
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown argument for this expectation; remove it or check its spelling"
        if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
            index = loc[1]
            expectation = rule.expectations[index]
            rest = [str(part) for part in loc[3:]]  # skip the union tag
            key = ".".join(rest) or "kwargs"
            place = f"expectations[{index}] ({expectation.expectation_type}): {key}"
            key_path = _expectation_key(expectation, index, rest)
            what = f"{expectation.expectation_type}: "
            if error["type"] == "union_tag_invalid":
                place = f"expectations[{index}]"
                key_path = ("expectations", index, "expectation_type")
                message = (
                    f"unknown expectation_type {expectation.expectation_type!r}; see "
                    "`dq-agent check --list-expectations` or use a short alias such as not_null"
                )
        elif loc and loc[0] == "table":
            key_path = ("dataset",)
        lines.append(f"  {place}: {message}")
        problems.append((key_path, f"{what}{message}"))
    return RuleError("\n".join(lines), problems)


def _expectation_key(expectation: Expectation, index: int, rest: list[str]) -> KeyPath:
    """Where a check argument sits in the rule file: on the expectation or in its kwargs."""
    if not rest:
        return ("expectations", index)
    if rest[0] in ("column", "severity", "name", "meta") and rest[0] not in expectation.kwargs:
        return ("expectations", index, *rest)
    return ("expectations", index, "kwargs", *rest)
