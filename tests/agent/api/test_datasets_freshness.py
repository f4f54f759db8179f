"""/api/v1/datasets reports each dataset's age, freshness SLA and SLA compliance."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from agent.api.http import HttpApi
from agent.config.models import Config
from agent.sla.service import publish_compliance
from agent.snapshot import ResultsSnapshot


async def test_freshness_in_the_datasets_api() -> None:
    snapshot = ResultsSnapshot()
    snapshot.apply_config(Config.model_validate({
        "warehouses": {"w": {"url": "duckdb:///x.db"}},
        "datasets": {
            "orders": {"table": "orders", "freshness_sla": "1h",
                       "checks": [{"type": "freshness", "column": "updated_at", "max_age": "2h"}]},
            "plain": {"table": "plain"},
        },
    }))
    snapshot.record("orders", [], started_at=1.0, duration=0.1, row_count=None,
                    freshness_seconds=120.0)
    publish_compliance(snapshot, "w", "orders", {"1d": 0.75, "7d": None})
    api = HttpApi(CollectorRegistry(), snapshot, lambda: True)
    async with TestClient(TestServer(api.application())) as client:
        response = await client.get("/api/v1/datasets")
        assert response.status == 200
        body = {item["dataset"]: item for item in await response.json()}
    assert body["orders"]["freshness"] == {
        "age_seconds": 120.0, "sla_seconds": 3600.0, "sla_compliance": {"1d": 0.75}}
    assert body["plain"]["freshness"] == {
        "age_seconds": None, "sla_seconds": None, "sla_compliance": {}}
