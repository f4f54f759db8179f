"""The agent computes SLA compliance after each run and again when it restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from agent.app import Agent
from agent.config.models import Config
from agent.sla.service import COMPLIANCE_FAMILY


def config(tmp_path: Path, warehouse: Path) -> Config:
    return Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": f"duckdb:///{warehouse}"}},
        "datasets": {"orders": {
            "table": "orders", "schedule": "1h",
            "checks": [{"type": "freshness", "column": "updated_at", "max_age": "1h"}],
            "freshness_sla": {"windows": ["1h", "1d"]},
        }},
    })


def ratios(agent: Agent) -> dict[str, float]:
    return {labels["window"]: value
            for labels, value in agent.snapshot.published().get(COMPLIANCE_FAMILY, [])}


async def test_compliance_after_runs_and_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "w.duckdb"
    stale = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=3)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE orders (updated_at TIMESTAMP)")
        con.execute("INSERT INTO orders VALUES (?)", [stale])
    agent = Agent(config(tmp_path, warehouse))
    await agent.start(serve_http=False)
    try:
        await agent.run_dataset("orders")
        assert ratios(agent) == {"1h": 0.0, "1d": 0.0}  # 3 h old against a 1 h SLA
        summary = agent.snapshot.summary()[0]["freshness"]
        assert summary["sla_seconds"] == 3600.0 and summary["sla_compliance"]["1d"] == 0.0
    finally:
        await agent.stop()
    restarted = Agent(config(tmp_path, warehouse))
    monkeypatch.setattr(restarted.scheduler, "schedule", lambda *args, **kwargs: None)
    await restarted.start(serve_http=False)
    try:
        assert ratios(restarted) == {"1h": 0.0, "1d": 0.0}  # restored before any run
    finally:
        await restarted.stop()
