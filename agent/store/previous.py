"""The previous results a run compares with: the last computed (not errored) result of each of a
dataset's checks that declare ``uses_history``, read from the history store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.checks.base import build_check
from agent.checks.results import CheckResult, Status
from agent.config.models import Config, DatasetConfig

if TYPE_CHECKING:
    from agent.store.history import HistoryStore

SEARCH_DEPTH = 50  # runs looked back through for a computed result


def history_checks(dataset: DatasetConfig) -> set[str]:
    """Names of the dataset's checks that compare with their previous result."""
    checks = (build_check(spec) for spec in dataset.check_specs())
    return {check.name for check in checks if check.uses_history}


def previous_results(
    store: HistoryStore, dataset: str, checks: set[str], depth: int = SEARCH_DEPTH
) -> dict[str, CheckResult]:
    """The newest non-error result of each of ``checks`` within the dataset's last runs."""
    found: dict[str, CheckResult] = {}
    if not checks:
        return found
    for run in store.recent_runs(dataset, depth):  # newest first
        for result in run.results:
            if result.check in checks and result.check not in found and result.status != Status.ERROR:
                found[result.check] = result
        if len(found) == len(checks):
            break
    return found


def stored_previous(config: Config, names: list[str]) -> dict[str, dict[str, CheckResult]]:
    """For a one-off run of ``names``: their previous results from the agent's history store,
    which is opened only when one of them has a check that needs them."""
    wanted = {name: history_checks(config.datasets[name]) for name in names}
    wanted = {name: checks for name, checks in wanted.items() if checks}
    if not wanted:
        return {}
    from agent.store.history import HistoryStore

    store = HistoryStore(config.agent.store_url())
    try:
        return {name: previous_results(store, name, checks) for name, checks in wanted.items()}
    finally:
        store.close()
