"""One run of a dataset by a started agent: its /metrics text and what the store kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest

from agent.app import Agent
from agent.config.models import Config
from agent.store.history import HistoryStore
from agent.store.schema import validation_runs
from tests.support.backends import Backend


@dataclass(frozen=True)
class AgentRun:
    exposition: str  # the registry's text exposition after the run
    stored: str  # the stored run's results column, as written
    latest: Any  # the store's latest run of the dataset, read back


def sample_config(backend: Backend, tmp_path: Path, checks: list[dict[str, Any]],
                  mask: list[str]) -> Config:
    """An agent config with one dataset ``d`` over table ``t`` masking ``mask`` in samples."""
    dataset: dict[str, Any] = {"table": "t", "schedule": "1h", "checks": checks,
                               "failing_row_samples": {"mask": mask}}
    if backend.schema:
        dataset["schema"] = backend.schema
    return Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": backend.url}},
        "datasets": {"d": dataset},
    })


async def run_dataset_once(config: Config, monkeypatch: pytest.MonkeyPatch) -> AgentRun:
    """Start the agent (nothing scheduled), run dataset ``d`` once, stop, read the store."""
    agent = Agent(config)
    monkeypatch.setattr(agent.scheduler, "schedule", lambda *args, **kwargs: None)
    await agent.start(serve_http=False)
    try:
        run = await agent.run_dataset("d")
        assert run is not None
        exposition = generate_latest(agent.registry).decode()
    finally:
        await agent.stop()
    store = HistoryStore(config.agent.store_url())
    try:
        with store.engine.connect() as connection:
            stored = connection.execute(sa.select(validation_runs.c.results)).scalar_one()
        [latest] = store.recent_runs("d", 1)
    finally:
        store.close()
    return AgentRun(exposition=exposition, stored=stored, latest=latest)
