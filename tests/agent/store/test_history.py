"""The history store on SQLite (default) and the real PostgreSQL: runs, series, rules, retention."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.checks.results import CheckResult, Outcome, Status
from agent.checks.runner import DatasetRun
from agent.store.history import HistoryStore
from agent.store.migrations import LATEST_VERSION
from tests.support.backends import Backend, open_backend


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryStore]:
    if request.param == "sqlite":
        opened = HistoryStore(f"sqlite:///{tmp_path / 'state' / 'history.db'}")
        yield opened
        opened.close()
        return
    with open_backend("postgresql", tmp_path) as backend:
        yield from _postgres_store(backend)


def _postgres_store(backend: Backend) -> Iterator[HistoryStore]:
    url = sa.make_url(backend.url).update_query_dict({"options": f"-csearch_path={backend.schema}"})
    opened = HistoryStore(url.render_as_string(hide_password=False))
    yield opened
    opened.close()


def make_run(dataset: str, when: datetime, observed: float, status: Status = Status.PASS) -> DatasetRun:
    result = CheckResult(
        warehouse="w", dataset=dataset, check="not_null_id", check_type="not_null", column="id",
        severity="warning", dimension="completeness", status=status,
        outcome=Outcome(success=status == Status.PASS, observed_value=observed,
                        unexpected_ratio=observed, element_count=100),
        started_at=when, duration_seconds=0.01,
    )
    return DatasetRun(run_id=f"vr_{dataset}_{when.timestamp()}", dataset=dataset, warehouse="w",
                      started_at=when, duration_seconds=0.02, results=[result], row_count=100,
                      queries=1)


def test_migrated_to_latest(store: HistoryStore) -> None:
    assert store.schema_version == LATEST_VERSION
    again = HistoryStore(store.url)  # re-opening applies nothing twice
    assert again.schema_version == LATEST_VERSION
    again.close()


def test_runs_series_and_latest(store: HistoryStore) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(5):
        store.record_run(make_run("orders", start + timedelta(minutes=i), i / 10))
    store.record_run(make_run("users", start, 0.5, Status.FAIL))
    series = store.series("orders", "not_null_id", "observed_value", limit=3)
    assert [value for _, value in series] == [0.2, 0.3, 0.4]
    assert series[0][0] < series[-1][0]
    assert [v for _, v in store.series("orders", "", "row_count")] == [100.0] * 5
    latest = {run.dataset: run for run in store.latest_runs()}
    assert set(latest) == {"orders", "users"}
    assert latest["orders"].results[0].outcome.observed_value == 0.4
    assert latest["users"].overall_result == "failure"
    assert latest["users"].results[0].status == Status.FAIL
    recent = store.recent_runs("orders", limit=2)
    assert [r.results[0].outcome.observed_value for r in recent] == [0.4, 0.3]


def test_rules_are_versioned(store: HistoryStore) -> None:
    assert store.register_rule("r1", "orders", {"min": 1}) == 1
    assert store.register_rule("r1", "orders", {"min": 1}) == 1
    assert store.register_rule("r1", "orders", {"min": 2}) == 2
    assert store.register_rule("r2", "orders", {"min": 2}) == 1


def test_retention_prunes_only_old_rows(store: HistoryStore) -> None:
    now = datetime.now(UTC)
    store.record_run(make_run("orders", now - timedelta(days=100), 0.1))
    store.record_run(make_run("orders", now, 0.2))
    deleted = store.prune(time.time() - 90 * 86400)
    assert deleted >= 2  # the old run and its points
    assert store.count_runs() == 1
    assert [v for _, v in store.series("orders", "not_null_id", "observed_value")] == [0.2]


def test_newer_store_is_refused_not_modified(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = HistoryStore(url)
    store.record_run(make_run("orders", datetime.now(UTC), 0.1))
    with store.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO dq_schema_version VALUES (999, 0)")
    store.close()
    with pytest.raises(RuntimeError, match="newer than this agent"):
        HistoryStore(url)
    reopened = sa.create_engine(url)
    with reopened.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM dq_validation_runs").scalar() == 1
    reopened.dispose()


def test_sqlite_store_uses_wal(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()
