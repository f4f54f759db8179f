"""The agent in-process: real HTTP server, real DuckDB warehouse, real SQLite history store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from agent.app import Agent
from agent.config.models import Config
from tests.support.backends import Backend
from tests.support.components import free_port

CHECKS = [
    {"type": "row_count", "min": 1},
    {"type": "not_null", "column": "name"},
]


def agent_config(backend: Backend, tmp_path: Path, port: int, url: str | None = None,
                 checks: list[dict[str, object]] | None = None) -> Config:
    return Config.model_validate({
        "agent": {"listen": f"127.0.0.1:{port}", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": url or backend.url, "statement_timeout": "5s"}},
        "datasets": {"items": {"table": "items", "schedule": "1h", "team": "core",
                               "checks": checks or CHECKS}},
    })


def seed(backend: Backend, with_null: bool) -> None:
    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": None if with_null else "b"}]
    backend.create_table("items", {"id": sa.Integer(), "name": sa.String(10)}, rows)


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def get(port: int, path: str, accept: str = "") -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(
        f"http://127.0.0.1:{port}{path}", headers={"Accept": accept} if accept else {}
    ) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_serves_metrics_landing_health_and_restores_after_restart(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    seed(duckdb_backend, with_null=True)
    port = free_port()
    agent = Agent(agent_config(duckdb_backend, tmp_path, port))
    await agent.start()
    try:
        async def has_results() -> bool:
            return "dq_check_success{" in (await get(port, "/metrics"))[2]

        await wait_for(has_results)
        status, content_type, text = await get(port, "/metrics")
        assert status == 200 and content_type.startswith("text/plain")
        assert 'check="not_null_name"' in text
        assert 'dq_check_success{check="not_null_name",check_type="not_null",column="name",dataset="items",severity="warning",warehouse="w"} 0.0' in text
        assert 'dq_warehouse_up{warehouse="w"} 1.0' in text
        _, om_type, om_text = await get(port, "/metrics", "application/openmetrics-text")
        assert om_type.startswith("application/openmetrics-text") and om_text.endswith("# EOF\n")
        assert (await get(port, "/healthz"))[0] == 200
        assert (await get(port, "/readyz"))[0] == 200
        landing = (await get(port, "/"))[2]
        assert "not_null_name" in landing and "fail" in landing
    finally:
        await agent.stop()

    # A restart restores the latest results before any new run completes.
    # A restarted agent restores the latest results from the store before any new run.
    from prometheus_client import generate_latest

    from agent.store.history import HistoryStore

    restarted = Agent(agent_config(duckdb_backend, tmp_path, port))
    restarted.store = HistoryStore(restarted.config.agent.store_url())
    try:
        restarted.snapshot.apply_config(restarted.config)
        await restarted._rebuild_snapshot()
        text = generate_latest(restarted.registry).decode()
    finally:
        restarted.store.close()
    assert 'dq_check_status{check="not_null_name",check_type="not_null",column="name",dataset="items",dq_check_status="fail",severity="warning",warehouse="w"} 1.0' in text
    assert 'dq_check_consecutive_failures{check="not_null_name",check_type="not_null",column="name",dataset="items",severity="warning",warehouse="w"} 1.0' in text
    assert 'dq_dataset_row_count{dataset="items",warehouse="w"} 2.0' in text


async def test_unreachable_warehouse_at_start_then_recovers(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    """The agent starts with dq_warehouse_up 0; when the warehouse appears, checks resume."""
    seed(duckdb_backend, with_null=False)
    port = free_port()
    missing_dir = tmp_path / "not-yet"
    url = f"duckdb:///{missing_dir / 'w.duckdb'}"
    agent = Agent(agent_config(duckdb_backend, tmp_path, port, url=url))
    await agent.start()
    try:
        text = (await get(port, "/metrics"))[2]
        assert 'dq_warehouse_up{warehouse="w"} 0.0' in text
        assert (await get(port, "/healthz"))[0] == 200
        missing_dir.mkdir()
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE items (id INTEGER, name VARCHAR)")
            connection.exec_driver_sql("INSERT INTO items VALUES (1, 'a')")
        engine.dispose()
        run = await agent.run_dataset("items")
        assert run is not None and run.overall_success
        text = (await get(port, "/metrics"))[2]
        assert 'dq_warehouse_up{warehouse="w"} 1.0' in text
        assert 'dq_check_success{check="not_null_name"' in text
    finally:
        await agent.stop()


async def test_reload_reschedules_and_rejects_bad_config(duckdb_backend: Backend, tmp_path: Path) -> None:
    seed(duckdb_backend, with_null=False)
    port = free_port()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{listen: '127.0.0.1:{port}', state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n"
        "datasets:\n  items: {table: items, schedule: 1h, checks: [{type: row_count, min: 1}]}\n"
    )
    from agent.config.loader import load_config

    agent = Agent(load_config(path), path)
    await agent.start()
    try:
        path.write_text(path.read_text() + "  extra: {table: items, checks: [{type: bogus}]}\n")
        ok, message = await agent.reload()
        assert not ok and "bogus" in message
        assert "dq_config_last_reload_successful 0.0" in (await get(port, "/metrics"))[2]
        assert set(agent.scheduler.scheduled) == {"items"}
        path.write_text(path.read_text().replace("type: bogus", "type: row_count"))
        ok, message = await agent.reload()
        assert ok, message
        assert set(agent.scheduler.scheduled) == {"items", "extra"}
        assert "dq_config_last_reload_successful 1.0" in (await get(port, "/metrics"))[2]
    finally:
        await agent.stop()
