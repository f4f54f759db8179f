"""The history store of ``dq-agent check --config``: opened on the config's store (or --history),
it gives the previous results and schema snapshots a run compares with, and keeps the run, as the
daemon does, so the next run (of either) compares with it."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from agent.checks.results import CheckResult
from agent.checks.runner import DatasetRun
from agent.config.models import Config
from agent.rules.history import record_scheduled_run
from agent.schema.drift import apply_drift, previous_schemas
from agent.store.history import HistoryStore
from agent.store.previous import history_checks, previous_results
from agent.warehouses.engines import safe_url

log = logging.getLogger(__name__)
SCHEMA_CHECK = "schema_drift"
SCHEMA_DEPTH = 5  # recent runs searched for a schema snapshot, as the daemon does


class HistoryUnavailable(RuntimeError):
    """The store cannot be opened; the message names it (without a password) and the fix."""


def open_store(url: str) -> HistoryStore:
    try:
        return HistoryStore(url)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HistoryUnavailable(
            f"cannot open the history store {safe_url(url)}: {reason}; give --history URL, or "
            "--no-history to run without recording"
        ) from None


def needs_history(config: Config, names: list[str]) -> bool:
    """Whether a run of ``names`` compares with stored results (volume_change, schema_drift)."""
    return any(
        history_checks(config.datasets[name])
        or any(spec.type == SCHEMA_CHECK for spec in config.datasets[name].check_specs())
        for name in names
    )


def previous_of(
    store: HistoryStore, config: Config, names: list[str]
) -> dict[str, dict[str, CheckResult]]:
    """The last computed result of each history-reading check, by dataset."""
    found: dict[str, dict[str, CheckResult]] = {}
    for name in names:
        checks = history_checks(config.datasets[name])
        if checks:
            found[name] = previous_results(store, name, checks)
    return found


def judged(store: HistoryStore, run: DatasetRun) -> DatasetRun:
    """``run`` with its schema_drift results judged against the stored snapshots."""
    if not any(result.check_type == SCHEMA_CHECK for result in run.results):
        return run
    return apply_drift(run, previous_schemas(store.recent_runs(run.dataset, SCHEMA_DEPTH)))


def record(store: HistoryStore, config: Config, run: DatasetRun) -> None:
    """Keep ``run`` (a rule file's under its rule_id, with the rule's version), as the daemon
    does; a failed write is logged and the results still count."""
    try:
        record_scheduled_run(store, run, config.rule_of(run.dataset))
    except SQLAlchemyError as exc:
        log.error("could not record the run in the history store %s: %s", safe_url(store.url),
                  str(exc).splitlines()[0], extra={"dataset": run.dataset})
