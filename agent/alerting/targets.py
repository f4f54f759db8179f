"""The datasets whose alerts have channels of their own, read from rule files or a config."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agent.config.models import DatasetConfig


class AlertingError(ValueError):
    """Alerting settings that cannot become Alertmanager routes; the message names the file."""


@dataclass(frozen=True)
class AlertTarget:
    """One dataset's alert channels and re-notification window, and where they were written."""

    dataset: str
    channels: tuple[str, ...]
    dedupe_window: float | None
    origin: str


def targets_from_rules(paths: Iterable[Path]) -> list[AlertTarget]:
    """One target per rule in the rule files or directories ``paths`` (the rule's dataset is
    named by its rule_id, as when the agent runs it)."""
    from agent.rules.convert import RuleError
    from agent.rules.loader import load_rule_file, rule_paths

    targets: list[AlertTarget] = []
    origin: dict[str, Path] = {}
    try:
        for root in paths:
            for path in rule_paths(root):
                for rule in load_rule_file(path):
                    if rule.rule_id in origin:
                        raise AlertingError(
                            f"{path}: rule_id {rule.rule_id!r} is already used in "
                            f"{origin[rule.rule_id]}; rule ids must be unique"
                        )
                    origin[rule.rule_id] = path
                    alert = rule.alert_config
                    targets.append(AlertTarget(rule.rule_id, tuple(alert.channels),
                                               alert.dedupe_window, f"rule file {path}"))
    except RuleError as exc:
        raise AlertingError(str(exc)) from None
    return targets


def targets_from_config(path: Path) -> list[AlertTarget]:
    """One target per dataset of the config at ``path``, its rule files' included."""
    from agent.config.errors import ConfigError
    from agent.config.loader import load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise AlertingError(str(exc)) from None
    return [
        _dataset_target(name, dataset, path, config.rule_of(name) is not None)
        for name, dataset in config.datasets.items()
    ]


def _dataset_target(name: str, dataset: DatasetConfig, path: Path, from_rule: bool) -> AlertTarget:
    where = f"rule {name} included by {path}" if from_rule else f"{path}: datasets.{name}.alerting"
    alerting = dataset.alerting
    return AlertTarget(name, tuple(alerting.channels), alerting.dedupe_window, where)
