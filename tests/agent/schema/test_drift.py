"""Schema drift: classification of changes, and snapshots compared run to run by the agent."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest

from agent.app import Agent
from agent.checks.results import Status
from agent.config.models import Config
from agent.schema.diff import diff_schemas
from agent.schema.snapshot import ColumnInfo
from tests.support.backends import Backend


def cols(*spec: tuple[str, str]) -> list[ColumnInfo]:
    return [ColumnInfo(name, type_, True, i) for i, (name, type_) in enumerate(spec)]


def kinds(old: list[ColumnInfo], new: list[ColumnInfo]) -> list[tuple[str, str, bool]]:
    return [(c.change, c.column, c.breaking) for c in diff_schemas(old, new)]


def test_classification() -> None:
    base = cols(("id", "INTEGER"), ("name", "VARCHAR"), ("amount", "FLOAT"))
    assert kinds(base, base) == []
    assert kinds(base, [*base, ColumnInfo("extra", "TEXT", True, 3)]) == [
        ("added", "extra", False)]
    assert kinds(base, cols(("id", "INTEGER"), ("amount", "FLOAT"))) == [
        ("removed", "name", True)]  # the others keep their relative order: no reorder
    assert kinds(base, cols(("id", "INTEGER"), ("full_name", "VARCHAR"), ("amount", "FLOAT"))) == [
        ("renamed", "name", True)]
    # Same position but another type: not a rename.
    assert kinds(base, cols(("id", "INTEGER"), ("full_name", "DATE"), ("amount", "FLOAT"))) == [
        ("removed", "name", True), ("added", "full_name", False)]
    assert kinds(base, cols(("id", "BIGINT"), ("name", "VARCHAR"), ("amount", "FLOAT"))) == [
        ("type_changed", "id", True)]
    assert kinds(base, cols(("name", "VARCHAR"), ("id", "INTEGER"), ("amount", "FLOAT"))) == [
        ("reordered", "name", False), ("reordered", "id", False)]


def config(backend: Backend, tmp_path: Path) -> Config:
    dataset: dict[str, object] = {"table": "items", "schedule": "1h",
                                  "checks": [{"type": "schema_drift"}]}
    if backend.schema:
        dataset["schema"] = backend.schema
    return Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": backend.url}},
        "datasets": {"items": dataset},
    })


@pytest.mark.parametrize("backend", ["duckdb", "postgresql", "sqlite"], indirect=True)
async def test_agent_compares_snapshots_between_runs(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.create_table("items", {"id": sa.Integer(), "name": sa.String(20),
                                   "amount": sa.Float()})
    agent = Agent(config(backend, tmp_path))
    monkeypatch.setattr(agent.scheduler, "schedule", lambda *args, **kwargs: None)
    await agent.start(serve_http=False)  # runs below are the only ones
    try:
        first = await agent.run_dataset("items")
        assert first is not None
        [result] = first.results
        assert result.status == Status.PASS and result.outcome.details["baseline"] is True
        assert [c["name"] for c in result.outcome.details["schema"]] == ["id", "name", "amount"]
        assert result.outcome.details["schema"][1]["nullable"] is True
        # Every kind of change is exported from the first snapshot on, at 0, so that the
        # first change is an increase for Prometheus.
        baseline = generate_latest(agent.registry).decode()
        for change, breaking in (("removed", "true"), ("renamed", "true"),
                                 ("type_changed", "true"), ("added", "false"),
                                 ("reordered", "false")):
            assert (f'dq_schema_changes_total{{breaking="{breaking}",change="{change}",'
                    'dataset="items",warehouse="w"} 0.0') in baseline

        backend.create_table("items", {"id": sa.Integer(), "full_name": sa.String(20),
                                       "amount": sa.Float(), "note": sa.Text()})
        second = await agent.run_dataset("items")
        assert second is not None
        [result] = second.results
        changes = [(c["change"], c["column"]) for c in result.outcome.details["changes"]]
        assert changes == [("renamed", "name"), ("added", "note")]
        assert result.status == Status.FAIL
        assert result.outcome.observed_value == 4

        backend.create_table("items", {"id": sa.Integer(), "full_name": sa.String(20),
                                       "amount": sa.Float(), "note": sa.Text()})
        third = await agent.run_dataset("items")
        assert third is not None and third.results[0].status == Status.PASS
        assert third.results[0].outcome.details["changes"] == []

        text = generate_latest(agent.registry).decode()
        assert 'dq_schema_columns{dataset="items",warehouse="w"} 4.0' in text
        assert ('dq_schema_changes_total{breaking="true",change="renamed",dataset="items",'
                'warehouse="w"} 1.0') in text
        assert ('dq_schema_changes_total{breaking="false",change="added",dataset="items",'
                'warehouse="w"} 1.0') in text
    finally:
        await agent.stop()
