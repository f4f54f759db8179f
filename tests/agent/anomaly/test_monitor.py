"""Anomaly monitors in the agent, end to end on real warehouses and the real history store."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agent.app import Agent
from agent.config.models import Config
from agent.store.history import HistoryStore
from tests.support.backends import Backend, open_backend


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_backend(request.param, tmp_path) as backend:
        yield backend


def build_agent(backend: Backend, tmp_path: Path, rows: int) -> Agent:
    backend.create_table("items", {"id": sa.Integer()}, [{"id": i} for i in range(rows)])
    config = Config.model_validate(
        {
            "agent": {"state_dir": str(tmp_path / "state"), "listen": "127.0.0.1:0"},
            "warehouses": {"w": {"url": backend.url}},
            "datasets": {
                "items": {
                    "table": backend.qualified("items"),
                    "schedule": "1h",
                    "checks": [{"type": "row_count", "min": 0}],
                    "anomaly": {"metrics": ["row_count"], "min_history": 24, "seasonality": "none"},
                }
            },
        }
    )
    agent = Agent(config)
    agent.store = HistoryStore(config.agent.store_url())
    agent._open_warehouses(config)
    agent.snapshot.apply_config(config)
    return agent


def seed_history(store: HistoryStore, level: float, points: int = 72) -> None:
    """Hourly row counts around ``level``, ending an hour ago."""
    rng = np.random.default_rng(7)
    now = time.time()
    for i in range(points):
        ts = now - (points - i) * 3600
        store.record_points("items", "", {"row_count": float(round(level + rng.normal(0, 3)))}, ts)


def anomaly_samples(agent: Agent) -> dict[str, list[tuple[dict[str, str], float]]]:
    text = generate_latest(agent.registry).decode()
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        if family.name.startswith("dq_anomaly"):
            for sample in family.samples:
                samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


async def run_once(agent: Agent) -> None:
    try:
        run = await agent.run_dataset("items")
        assert run is not None
    finally:
        for wh in agent.warehouses.values():
            wh.close()


async def test_volume_spike_is_detected_and_exported(warehouse: Backend, tmp_path: Path) -> None:
    agent = build_agent(warehouse, tmp_path, rows=400)
    assert agent.store is not None
    seed_history(agent.store, level=200)
    await run_once(agent)
    samples = anomaly_samples(agent)
    [(labels, detected)] = samples["dq_anomaly_detected"]
    assert labels["metric"] == "row_count" and labels["dataset"] == "items"
    assert detected == 1.0
    assert labels["type"] == "spike"
    [(_, score)] = samples["dq_anomaly_score"]
    [(_, upper)] = samples["dq_anomaly_upper_bound"]
    [(_, expected)] = samples["dq_anomaly_expected_value"]
    assert score > 0.5 and upper < 400 and 190 < expected < 210
    stored = agent.store.detections("items", "row_count")
    assert stored[0]["is_anomaly"] and stored[0]["observed"] == 400.0
    agent.store.close()


async def test_normal_volume_is_not_flagged(warehouse: Backend, tmp_path: Path) -> None:
    agent = build_agent(warehouse, tmp_path, rows=201)
    assert agent.store is not None
    seed_history(agent.store, level=200)
    await run_once(agent)
    samples = anomaly_samples(agent)
    [(_labels, detected)] = samples["dq_anomaly_detected"]
    assert detected == 0.0
    [(_, lower)] = samples["dq_anomaly_lower_bound"]
    [(_, upper)] = samples["dq_anomaly_upper_bound"]
    assert lower < 201 < upper
    agent.store.close()


async def test_too_little_history_gives_no_alert(warehouse: Backend, tmp_path: Path) -> None:
    agent = build_agent(warehouse, tmp_path, rows=5000)
    assert agent.store is not None
    seed_history(agent.store, level=200, points=5)
    await run_once(agent)
    samples = anomaly_samples(agent)
    assert all(value == 0.0 for _, value in samples.get("dq_anomaly_detected", []))
    agent.store.close()


async def test_false_positive_mark_from_the_cli_lowers_sensitivity(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    """A point marked with `dq-agent anomaly mark-false-positive` leaves training and the next
    verdict on the same series is less sensitive (a lower score for the same observation)."""
    import subprocess
    import sys

    agent = build_agent(duckdb_backend, tmp_path, rows=260)
    assert agent.store is not None
    seed_history(agent.store, level=200)
    await run_once(agent)
    [(_, score_before)] = anomaly_samples(agent)["dq_anomaly_score"]
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n"
        "datasets: {items: {table: items}}\n"
    )
    for hours_ago in (3, 2):
        at = datetime.fromtimestamp(time.time() - hours_ago * 3600, UTC).isoformat()
        marked = subprocess.run(
            [sys.executable, "-m", "agent.cli", "anomaly", "mark-false-positive", "--config",
             str(path), "--dataset", "items", "--metric", "row_count", "--at", at],
            capture_output=True, text=True, timeout=60)
        assert marked.returncode == 0, marked.stderr
    assert len(agent.store.false_positives("items")["row_count"]) == 2
    # Judge the same latest point again: only the feedback differs.
    from agent.anomaly.monitor import judge_dataset

    config = agent.config.datasets["items"].anomaly
    assert config is not None
    [verdict] = judge_dataset(agent.store, "items", config, ["row_count"])
    assert verdict.result.score < score_before
    agent.store.close()


def test_mark_false_positive_rejects_bad_input(duckdb_backend: Backend, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "config.yaml"
    path.write_text(f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n"
                    "datasets: {items: {table: items}}\n")
    base = [sys.executable, "-m", "agent.cli", "anomaly", "mark-false-positive", "--config",
            str(path), "--metric", "row_count"]
    unknown = subprocess.run([*base, "--dataset", "nope", "--at", "2026-01-01T00:00:00Z"],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "unknown dataset" in unknown.stderr
    bad_time = subprocess.run([*base, "--dataset", "items", "--at", "yesterday"],
                              capture_output=True, text=True, timeout=60)
    assert bad_time.returncode == 2 and "ISO 8601" in bad_time.stderr
