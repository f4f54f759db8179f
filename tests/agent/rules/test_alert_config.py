"""A rule's alert_config becomes agent config: sla_threshold the alert_after of every check,
channels and dedupe_window the dataset's alerting; bad values are refused when the rule loads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from agent.rules.convert import RuleError, dataset_config
from agent.rules.models import RuleFile
from tests.agent.rules.test_rule_run import RULE

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def rule(**alert_config: Any) -> RuleFile:
    data = yaml.safe_load(RULE.format(dataset="main.users"))
    if alert_config:
        data["alert_config"] = alert_config
    return RuleFile.model_validate(data)


def test_the_issue_rule_sets_threshold_channels_and_window() -> None:
    dataset = dataset_config(rule(), NOW)
    assert [spec.alert_after for spec in dataset.check_specs()] == [2] * 5
    assert dataset.alerting.channels == ["slack:data-team", "email:data-team@company.com"]
    assert dataset.alerting.dedupe_window == 3600.0


def test_without_alert_config_checks_alert_on_the_first_failure() -> None:
    data = yaml.safe_load(RULE.format(dataset="main.users"))
    del data["alert_config"]
    dataset = dataset_config(RuleFile.model_validate(data), NOW)
    assert {spec.alert_after for spec in dataset.check_specs()} == {1}
    assert dataset.alerting.channels == [] and dataset.alerting.dedupe_window is None


def test_channels_are_kept_as_written() -> None:
    """The rule's stored version (its model dump) does not change with the parsing."""
    written = ["slack:#data-team", "webhook:https://hooks.example.com/x"]
    assert rule(channels=written).model_dump(mode="json")["alert_config"]["channels"] == written


def test_alert_after_in_kwargs_points_at_sla_threshold() -> None:
    data = yaml.safe_load(RULE.format(dataset="main.users"))
    data["expectations"][1]["kwargs"]["alert_after"] = 3
    with pytest.raises(RuleError, match=r"kwargs\.alert_after is reserved; set "
                                        r"alert_config\.sla_threshold") as caught:
        dataset_config(RuleFile.model_validate(data), NOW)
    assert caught.value.problems[0][0] == ("expectations", 1, "kwargs", "alert_after")


@pytest.mark.parametrize(("alert_config", "expected"), [
    ({"channels": ["teams:data"]}, "unknown kind 'teams'"),
    ({"channels": ["email:x@y.com", "email:x@y.com"]}, "list it once"),
    ({"dedupe_window": "0 hours"}, "greater than 0"),
    ({"dedupe_window": "soon"}, "is not a time span"),
    ({"sla_threshold": 0}, "greater than or equal to 1"),
])
def test_bad_alert_config_is_refused(alert_config: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        rule(**alert_config)
