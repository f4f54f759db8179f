"""volume_change: row-count change in percent against the previous computed run, from the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.app import Agent
from agent.checks.builtin.volume_change import VolumeChangeSpec
from agent.checks.results import CheckResult, Outcome, Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.commands.check import render_json, run_once
from agent.config.models import Config
from agent.store.history import HistoryStore
from agent.store.previous import history_checks, previous_results
from agent.warehouses.warehouse import Warehouse
from tests.conftest import make_config
from tests.support.backends import Backend

CHECKS: list[dict[str, Any]] = [
    {"type": "volume_change", "max_decrease_percent": 20, "name": "drop_20"},
    {"type": "volume_change", "max_change_percent": 50, "name": "either_50"},
    {"type": "volume_change", "max_increase_percent": 10, "name": "growth_10"},
    {"type": "row_count", "min": 0},
]


def fill(backend: Backend, rows: int) -> None:
    backend.create_table("events", {"id": sa.Integer()}, [{"id": i} for i in range(rows)])


async def run_and_store(backend: Backend, tmp_path: Path, store: HistoryStore) -> DatasetRun:
    dataset: dict[str, Any] = {"table": "events", "checks": CHECKS}
    if backend.schema:
        dataset["schema"] = backend.schema
    config = make_config(backend, {"events": dataset}, tmp_path)
    names = history_checks(config.datasets["events"])
    assert names == {"drop_20", "either_50", "growth_10"}  # row_count needs no history
    previous = previous_results(store, "events", names)
    warehouse = Warehouse("w", config.warehouses["w"])
    try:
        run = await DatasetRunner("events", config.datasets["events"], warehouse,
                                  previous=previous).run()
    finally:
        warehouse.close()
    store.record_run(run)
    return run


def by_name(run: DatasetRun) -> dict[str, CheckResult]:
    return {result.check: result for result in run.results}


async def test_change_against_the_previous_run(backend: Backend, tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.db'}")
    try:
        fill(backend, 100)
        first = by_name(await run_and_store(backend, tmp_path, store))
        for name in ("drop_20", "either_50", "growth_10"):
            assert first[name].status == Status.PASS
            assert first[name].outcome.observed_value is None
            assert first[name].outcome.message == (
                "no previous run to compare with; 100 rows are the baseline")

        fill(backend, 70)  # -30%
        second = by_name(await run_and_store(backend, tmp_path, store))
        drop = second["drop_20"]
        assert drop.status == Status.FAIL
        assert drop.outcome.observed_value == -30.0
        assert (drop.outcome.expected_min, drop.outcome.expected_max) == (-20, None)
        assert "-30.00% since the previous run (100 rows)" in (drop.outcome.message or "")
        assert drop.outcome.details["previous"]["row_count"] == 100
        assert second["either_50"].status == Status.PASS
        assert second["growth_10"].status == Status.PASS  # no bound on decreases

        fill(backend, 84)  # +20% over the 70 of the previous run, not the first
        third = by_name(await run_and_store(backend, tmp_path, store))
        assert third["growth_10"].outcome.observed_value == pytest.approx(20.0)
        assert third["growth_10"].status == Status.FAIL
        assert third["drop_20"].status == Status.PASS
        shown = json.loads(render_json([third["growth_10"]]))[0]
        assert shown["observed_value"] == pytest.approx(20.0)
        assert shown["previous"]["row_count"] == 70
    finally:
        store.close()


async def test_growth_from_zero_rows(duckdb_backend: Backend, tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.db'}")
    try:
        fill(duckdb_backend, 0)
        await run_and_store(duckdb_backend, tmp_path, store)
        fill(duckdb_backend, 5)
        results = by_name(await run_and_store(duckdb_backend, tmp_path, store))
        assert results["growth_10"].status == Status.FAIL
        assert results["growth_10"].outcome.observed_value is None
        assert "grew from 0 to 5 rows" in (results["growth_10"].outcome.message or "")
        assert results["drop_20"].status == Status.PASS
        fill(duckdb_backend, 0)
        emptied = by_name(await run_and_store(duckdb_backend, tmp_path, store))
        assert emptied["drop_20"].outcome.observed_value == -100.0
        assert emptied["drop_20"].status == Status.FAIL
        still_empty = by_name(await run_and_store(duckdb_backend, tmp_path, store))
        assert still_empty["drop_20"].outcome.observed_value == 0.0  # 0 -> 0: no change
        assert still_empty["drop_20"].status == Status.PASS
    finally:
        store.close()


def stored_run(store: HistoryStore, when: datetime, outcome: Outcome, status: Status) -> None:
    result = CheckResult(
        warehouse="w", dataset="events", check="drop_20", check_type="volume_change", column="",
        severity="warning", dimension="completeness", status=status, outcome=outcome,
        started_at=when, duration_seconds=0.1)
    store.record_run(DatasetRun(
        run_id=f"vr_{when.timestamp():.0f}", dataset="events", warehouse="w", started_at=when,
        duration_seconds=0.1, results=[result], row_count=outcome.element_count, queries=1))


def test_the_previous_result_skips_errored_runs(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.db'}")
    now = datetime.now(UTC)
    try:
        stored_run(store, now - timedelta(hours=2), Outcome(success=True, element_count=40),
                   Status.PASS)
        stored_run(store, now - timedelta(hours=1), Outcome(success=True, element_count=50),
                   Status.PASS)
        stored_run(store, now, Outcome.failed_with_error("timeout"), Status.ERROR)
        found = previous_results(store, "events", {"drop_20", "not_stored"})
        assert set(found) == {"drop_20"}
        assert found["drop_20"].outcome.element_count == 50
        assert previous_results(store, "events", set()) == {}
    finally:
        store.close()


def agent_config(backend: Backend, tmp_path: Path) -> Config:
    dataset: dict[str, Any] = {"table": "events", "schedule": "1h", "checks": CHECKS[:1]}
    if backend.schema:
        dataset["schema"] = backend.schema
    return Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": backend.url}},
        "datasets": {"events": dataset},
    })


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"], indirect=True)
async def test_the_agent_and_the_check_command_read_the_previous_run(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(backend, 100)
    config = agent_config(backend, tmp_path)
    agent = Agent(config)
    monkeypatch.setattr(agent.scheduler, "schedule", lambda *args, **kwargs: None)
    await agent.start(serve_http=False)
    try:
        first = await agent.run_dataset("events")
        assert first is not None and first.results[0].outcome.observed_value is None
        fill(backend, 50)
        second = await agent.run_dataset("events")
        assert second is not None
        assert second.results[0].outcome.observed_value == -50.0
        assert second.results[0].status == Status.FAIL
    finally:
        await agent.stop()
    # a one-off run given no store reads the agent's store (and writes nothing): it compares
    # with the 50.
    fill(backend, 45)
    [run] = await run_once(config, ["events"])
    assert run.results[0].outcome.observed_value == -10.0
    assert run.results[0].status == Status.PASS


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "give max_change_percent, or"),
    ({"max_change_percent": 5, "max_increase_percent": 5}, "not both"),
    ({"max_decrease_percent": 120}, "less than or equal to 100"),
    ({"max_increase_percent": -1}, "greater than or equal to 0"),
])
def test_bad_bounds_are_rejected(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        VolumeChangeSpec(type="volume_change", **fields)
