"""Compliance ratios from the history store's freshness series, published into the snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.models import Config
from agent.sla.service import COMPLIANCE_FAMILY, compliance_ratios, publish_compliance
from agent.snapshot import ResultsSnapshot
from agent.store.history import HistoryStore

NOW = 1_800_000_000.0


def config(sla: dict[str, object] | None = None) -> Config:
    orders: dict[str, object] = {
        "table": "orders", "schedule": "1m",
        "checks": [{"type": "freshness", "column": "updated_at", "max_age": "5m"}],
    }
    if sla is not None:
        orders["freshness_sla"] = sla
    return Config.model_validate({
        "warehouses": {"w": {"url": "duckdb:///x.db"}},
        "datasets": {"orders": orders, "plain": {"table": "plain"}},
    })


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    opened = HistoryStore(f"sqlite:///{tmp_path / 'history.db'}")
    # Runs every minute for the last two hours; ten of them (20 to 30 minutes ago) saw data
    # 1000 s old, beyond the 300 s SLA; the others saw fresh data.
    for k in range(120):
        ts = NOW - 7200 + 60 * k
        stale = NOW - 1800 <= ts < NOW - 1200
        opened.record_points("orders", "", {"freshness_seconds": 1000.0 if stale else 0.0}, ts)
        opened.record_points("orders", "", {"row_count": 5.0}, ts)
    return opened


def test_ratios_per_window(store: HistoryStore) -> None:
    ratios = compliance_ratios(store, "orders", config({"windows": ["1h", "1d"]}).datasets["orders"],
                               NOW)
    assert ratios == {"1h": pytest.approx(3000 / 3600), "1d": pytest.approx(6600 / 7200)}


def test_default_windows_and_sla_override(store: HistoryStore) -> None:
    ratios = compliance_ratios(store, "orders", config().datasets["orders"], NOW)
    assert set(ratios) == {"1d", "7d", "30d"}
    assert ratios["30d"] == pytest.approx(6600 / 7200)
    # A 20-minute SLA tolerates the 1000 s old observations.
    lenient = compliance_ratios(store, "orders", config({"max_delay": "20m"}).datasets["orders"],
                                NOW)
    assert lenient["1d"] == 1.0


def test_a_dataset_without_sla_or_history(store: HistoryStore) -> None:
    assert compliance_ratios(store, "plain", config().datasets["plain"], NOW) == {}
    empty = compliance_ratios(store, "orders", config().datasets["orders"], NOW + 90 * 86400)
    assert empty == {"1d": None, "7d": None, "30d": None}


def test_published_gauges_replace_the_previous_ones() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(config())
    publish_compliance(snapshot, "w", "orders", {"1d": 0.5, "7d": 0.75, "30d": None})
    publish_compliance(snapshot, "w", "orders", {"1d": 0.9, "7d": None})
    samples = snapshot.published()[COMPLIANCE_FAMILY]
    assert samples == [({"dataset": "orders", "warehouse": "w", "window": "1d"}, 0.9)]
