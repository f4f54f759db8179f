"""Rule runs in the history store: the rule's version, the run, and the alert decision
(``alert_config.sla_threshold`` consecutive failed runs of the rule)."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from agent.checks.runner import DatasetRun
from agent.rules.models import RuleFile
from agent.rules.runner import RuleRun
from agent.store import schema
from agent.store.history import HistoryStore


def consecutive_failures(store: HistoryStore, rule_id: str, limit: int) -> int:
    """How many of the rule's latest runs (at most ``limit``) failed in a row."""
    runs = schema.validation_runs
    query = (sa.select(runs.c.overall_result).where(runs.c.rule_id == rule_id)
             .order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit))
    with store.engine.connect() as connection:
        outcomes = [row[0] for row in connection.execute(query)]
    count = 0
    for outcome in outcomes:
        if outcome != "failure":
            break
        count += 1
    return count


def record_rule_run(store: HistoryStore, rule_run: RuleRun) -> RuleRun:
    """Store the rule (a new version when it changed) and its run; decide whether to alert."""
    rule = rule_run.rule
    version = store.register_rule(rule.rule_id, rule.dataset, rule.model_dump(mode="json"))
    run = dataclasses.replace(rule_run.run, results=rule_run.results)
    store.record_run(run, rule_id=rule.rule_id)
    threshold = rule.alert_config.sla_threshold
    failures = consecutive_failures(store, rule.rule_id, threshold)
    return dataclasses.replace(
        rule_run, rule_version=version, alert_triggered=failures >= threshold
    )


def without_store(rule_run: RuleRun) -> RuleRun:
    """The alert decision when no history is kept: this run alone (sla_threshold 1)."""
    triggered = not rule_run.success and rule_run.rule.alert_config.sla_threshold <= 1
    return dataclasses.replace(rule_run, alert_triggered=triggered)


def record_scheduled_run(store: HistoryStore, run: DatasetRun, rule: RuleFile | None) -> None:
    """Store an agent run; the run of a rule file also stores the rule's version (a new one
    when the file changed) and is recorded under its rule_id."""
    if rule is None:
        store.record_run(run)
        return
    store.register_rule(rule.rule_id, rule.dataset, rule.model_dump(mode="json"))
    store.record_run(run, rule_id=rule.rule_id)
