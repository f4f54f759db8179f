"""dq_column_* gauges from profiles, bounded to the configured columns; scheduled profiling in
the agent with a real DuckDB warehouse and SQLite store, read through the real /metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from agent.app import Agent
from agent.config.models import Config, DatasetConfig
from agent.profiling.export import publish_profile
from agent.profiling.profiler import profile_dataset
from agent.snapshot import ResultsSnapshot
from tests.agent.profiling.tables import create_orders
from tests.support.backends import Backend
from tests.support.components import free_port


def _wide_table(backend: Backend, columns: int) -> None:
    types: dict[str, sa.types.TypeEngine[Any]] = {f"c{i:02d}": sa.Float() for i in range(columns)}
    rows = [{name: float(r * (i + 1)) for i, name in enumerate(types)} for r in range(200)]
    backend.create_table("wide", types, rows)


def test_default_limit_and_configured_columns(duckdb_backend: Backend) -> None:
    _wide_table(duckdb_backend, 25)
    with duckdb_backend.engine.connect() as connection:
        run = profile_dataset(connection, "wide", DatasetConfig(table="wide"))
    snapshot = ResultsSnapshot()
    series = publish_profile(snapshot, "w", run.profile, run.sketches)
    published = snapshot.published()
    columns = {labels["column"] for labels, _ in published["dq_column_null_ratio"]}
    assert columns == {f"c{i:02d}" for i in range(20)} and series == 20 * 5
    quantiles = {(labels["column"], labels["quantile"]): value
                 for labels, value in published["dq_column_quantile"]}
    assert set(quantiles) == {(f"c{i:02d}", q) for i in range(20) for q in ("0.5", "0.9", "0.99")}
    assert quantiles[("c00", "0.5")] == pytest.approx(99.5, abs=2)  # 0..199

    publish_profile(snapshot, "w", run.profile, run.sketches, export_columns=["c24", "missing"])
    published = snapshot.published()
    assert [labels["column"] for labels, _ in published["dq_column_distinct_count"]] == ["c24"]
    assert dict(published["dq_column_distinct_count"][0][0]) == {
        "warehouse": "w", "dataset": "wide", "column": "c24"}
    assert published["dq_column_distinct_count"][0][1] == 200


async def test_scheduled_profile_exports_and_stores(duckdb_backend: Backend, tmp_path: Path) -> None:
    create_orders(duckdb_backend, 500)
    port = free_port()
    config = Config.model_validate({
        "agent": {"listen": f"127.0.0.1:{port}", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": duckdb_backend.url}},
        "datasets": {"orders": {
            "table": "orders", "schedule": "1h",
            "profile": {"schedule": "1s", "export_columns": ["amount", "status"]},
        }},
    })
    agent = Agent(config)
    await agent.start()
    try:
        assert agent.profile_store is not None
        deadline = asyncio.get_running_loop().time() + 30
        while agent.profile_store is not None and await asyncio.to_thread(
                agent.profile_store.latest, "orders") is None:
            assert asyncio.get_running_loop().time() < deadline, "no scheduled profile stored"
            await asyncio.sleep(0.2)
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{port}/metrics") as response:
            text = await response.text()
        lines = [line for line in text.splitlines() if line.startswith("dq_column_")]
        assert 'dq_column_null_ratio{column="amount",dataset="orders",warehouse="w"} 0.1' in lines
        assert any(line.startswith('dq_column_distinct_count{column="status"') and line.endswith(" 4.0")
                   for line in lines)
        assert not any('column="id"' in line for line in lines)
        assert sum('quantile="' in line for line in lines) == 3  # amount only: status is text
    finally:
        await agent.stop()


async def test_cron_profile_schedule_fires_on_its_cron_and_goes_away(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    create_orders(duckdb_backend, 50)
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{listen: '127.0.0.1:{free_port()}', state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n"
        "datasets:\n  orders: {table: orders, schedule: 1h, profile: {schedule: '30 4 * * 1'}}\n"
    )
    from agent.config.loader import load_config

    agent = Agent(load_config(path), path)
    await agent.start(serve_http=False)
    try:
        job = agent.scheduler._scheduler.get_job("profile:orders")
        assert job is not None
        # Mondays 04:30 UTC, as cron means it, not a week after the agent started.
        assert (job.next_run_time.weekday(), job.next_run_time.hour, job.next_run_time.minute) == (0, 4, 30)
        path.write_text(path.read_text().replace("profile: {schedule: '30 4 * * 1'}", "checks: []"))
        ok, message = await agent.reload()
        assert ok, message
        assert agent.scheduler._scheduler.get_job("profile:orders") is None
    finally:
        await agent.stop()
