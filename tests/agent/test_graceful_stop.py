"""Stopping lets a running check finish within the grace period and stores its run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa

from agent.app import Agent
from agent.config.models import Config
from agent.store.history import HistoryStore
from tests.support.backends import Backend


async def test_stop_waits_for_the_running_check(postgres_backend: Backend, tmp_path: Path) -> None:
    postgres_backend.create_table("items", {"id": sa.Integer()}, [{"id": 1}])
    config = Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state"),
                  "shutdown_grace": "20s"},
        "warehouses": {"pg": {"url": postgres_backend.url}},
        "datasets": {"slow": {
            "table": postgres_backend.qualified("items"), "schedule": "1h",
            "checks": [{"type": "custom_sql", "mode": "metric", "min": 0,
                        "query": "SELECT count(*) FROM {table}, pg_sleep(2)"}],
        }},
    })
    agent = Agent(config)
    await agent.start(serve_http=False)
    await asyncio.sleep(0.7)  # the first run is under way: it sleeps two seconds in PostgreSQL
    assert agent.snapshot.scheduler.running == 1
    await agent.stop()
    store = HistoryStore(config.agent.store_url())
    try:
        [run] = store.latest_runs()
        assert run.dataset == "slow" and run.results[0].status.value == "pass"
        assert run.results[0].outcome.observed_value == 1.0
    finally:
        store.close()
