"""`dbt:` in the main config: the manifest's tests become datasets at load (path relative to the
config file), run like any other on DuckDB, are read again on POST /-/reload, and a missing or
bad manifest is a config error naming the config line and the manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from agent.app import Agent
from agent.config.errors import ConfigError
from agent.config.loader import load_config
from tests.agent.dbt.test_import import MANIFEST, seed
from tests.support.backends import Backend
from tests.support.components import free_port

EXPECTED_STATUS = {
    ("customers", "unique_customers_customer_id"): "pass",
    ("customers", "not_null_customers_customer_id"): "pass",
    ("customers", "dbt_utils_accepted_range_customers_age__18"): "fail",
    ("orders", "not_null_orders_order_id"): "pass",
    ("orders", "unique_orders_order_id"): "fail",
    ("orders", "accepted_values_orders_status__placed__shipped__completed__returned"): "fail",
    ("orders", "relationships_orders_customer_id__customer_id__ref_customers_"): "fail",
    ("orders", "dbt_utils_expression_is_true_orders_amount___0"): "fail",
    ("orders", "dbt_utils_expression_is_true_orders_shipped_at_ordered_at"): "pass",
    ("orders", "dbt_utils_accepted_range_orders_amount__1000__10"): "pass",
    ("orders", "dbt_utils_recency_orders_day__ordered_at__1"): "pass",
    ("orders", "dbt_utils_equal_rowcount_orders_ref_stg_orders_"): "pass",
    ("raw_payments", "source_not_null_raw_payments_amount"): "fail",
}


def project(tmp_path: Path) -> Path:
    """A copy of the fixture manifest at dbt/target/manifest.json under ``tmp_path``."""
    target = tmp_path / "dbt" / "target"
    target.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(MANIFEST, target / "manifest.json"))


def write_config(tmp_path: Path, url: str, dbt: str, *, datasets: str = "",
                 warehouses: str = "", listen: str = "127.0.0.1:0") -> Path:
    path = tmp_path / "dq.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}', listen: '{listen}'}}\n"
        f"warehouses:\n  duck: {{url: '{url}'}}\n{warehouses}"
        f"{datasets}"
        f"dbt:\n{dbt}",
        encoding="utf-8",
    )
    return path


def test_the_manifest_tests_become_datasets_relative_to_the_config(tmp_path: Path) -> None:
    project(tmp_path)
    path = write_config(tmp_path, "duckdb:///w.db",
                        "  - manifest: dbt/target/manifest.json\n    schedule: 1h\n")
    config = load_config(path)
    assert sorted(config.datasets) == ["customers", "orders", "raw_payments"]
    orders = config.datasets["orders"]
    assert orders.schedule.interval == 3600.0
    assert orders.schema_and_table() == ("main", "orders")
    assert len(orders.check_specs()) == 9
    kinds = {spec.type for spec in orders.check_specs()}
    assert {"referential_integrity", "custom_sql", "freshness",
            "expect_table_row_count_to_equal_other_table"} <= kinds
    assert config.dbt[0].manifest == Path("dbt/target/manifest.json")


def test_select_keeps_the_tests_of_matching_models(tmp_path: Path) -> None:
    project(tmp_path)
    config = load_config(write_config(
        tmp_path, "duckdb:///w.db",
        "  - manifest: dbt/target/manifest.json\n    select: ['cust*', raw_payments]\n"))
    assert sorted(config.datasets) == ["customers", "raw_payments"]
    path = write_config(tmp_path, "duckdb:///w.db",
                        "  - manifest: dbt/target/manifest.json\n    select: [order, customers]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == (
        f"{path}:5: dbt[0].manifest: {tmp_path / 'dbt' / 'target' / 'manifest.json'}: select "
        "'order' matches no model or source with tests; tested: customers, orders, raw_payments")


@pytest.mark.parametrize(("content", "problem"), [
    (None, "cannot read the manifest: No such file or directory"),
    ('{"nodes": {"a": 1,', ":1: not JSON"),
    ('{"metadata": {}}', ": not a dbt manifest (no `nodes`)"),
])
def test_missing_or_invalid_manifests_name_the_config_line_and_the_manifest(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    manifest = tmp_path / "target" / "manifest.json"
    if content is not None:
        manifest.parent.mkdir()
        manifest.write_text(content, encoding="utf-8")
    path = write_config(tmp_path, "duckdb:///w.db",
                        "  - {manifest: target/manifest.json}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}:5: dbt[0].manifest: {manifest}")
    assert problem in str(raised.value)


def test_warehouse_and_name_conflicts(tmp_path: Path) -> None:
    project(tmp_path)
    second = "  other: {url: 'duckdb:///o.db'}\n"
    path = write_config(tmp_path, "duckdb:///w.db", "  - {manifest: dbt/target/manifest.json}\n",
                        warehouses=second)
    with pytest.raises(ConfigError, match=r"dq.yaml:6: dbt\[0\]: several warehouses are configured "
                                          r"\(duck, other\); say which one with dbt\[0\].warehouse"):
        load_config(path)
    path = write_config(tmp_path, "duckdb:///w.db",
                        "  - manifest: dbt/target/manifest.json\n    warehouse: lake\n")
    with pytest.raises(ConfigError, match=r"dq.yaml:6: dbt\[0\].warehouse: unknown warehouse "
                                          r"'lake'; configured warehouses: duck"):
        load_config(path)
    path = write_config(tmp_path, "duckdb:///w.db", "  - {manifest: dbt/target/manifest.json}\n",
                        datasets="datasets:\n  orders: {table: orders}\n")
    with pytest.raises(ConfigError, match=r"dataset 'orders' from dbt manifest .*manifest.json is "
                                          r"already defined by the config's datasets"):
        load_config(path)
    path = write_config(tmp_path, "duckdb:///w.db",
                        "  - {manifest: dbt/target/manifest.json, schedule: 'every fortnight'}\n")
    with pytest.raises(ConfigError, match=r"dq.yaml:5: dbt\[0\].schedule: .*neither an interval"):
        load_config(path)


def test_check_runs_the_imported_tests_on_duckdb(duckdb_backend: Backend, tmp_path: Path) -> None:
    seed(duckdb_backend)
    project(tmp_path)
    path = write_config(tmp_path, duckdb_backend.url,
                        "  - {manifest: dbt/target/manifest.json, warehouse: duck}\n")
    ran = subprocess.run([sys.executable, "-m", "agent.cli", "check", "--config", str(path),
                          "--once", "--format", "json"], capture_output=True, text=True, timeout=120)
    results = json.loads(ran.stdout)
    assert ran.returncode == 1, ran.stderr
    assert {(r["dataset"], r["check"]): r["status"] for r in results} == EXPECTED_STATUS


async def post_reload(port: int) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.post(
        f"http://127.0.0.1:{port}/-/reload"
    ) as response:
        body: dict[str, Any] = await response.json()
        return body


async def test_reload_reads_the_manifest_again(duckdb_backend: Backend, tmp_path: Path) -> None:
    seed(duckdb_backend)
    manifest = project(tmp_path)
    port = free_port()
    path = write_config(tmp_path, duckdb_backend.url,
                        "  - {manifest: dbt/target/manifest.json, schedule: 1h}\n",
                        listen=f"127.0.0.1:{port}")
    agent = Agent(load_config(path), path)
    await agent.start()
    try:
        assert set(agent.scheduler.scheduled) == {"customers", "orders", "raw_payments"}
        # the dbt project drops its source test: the reload drops the dataset
        data = json.loads(manifest.read_text(encoding="utf-8"))
        del data["nodes"]["test.jaffle_shop.source_not_null_raw_payments_amount.6a2c4e8b91"]
        manifest.write_text(json.dumps(data), encoding="utf-8")
        body = await post_reload(port)
        assert body["status"] == "ok", body
        assert set(agent.scheduler.scheduled) == {"customers", "orders"}
        assert "raw_payments" not in agent.config.datasets

        # a broken manifest is rejected and the running config stays
        manifest.write_text("{not json", encoding="utf-8")
        body = await post_reload(port)
        assert body["status"] == "error"
        assert f"{path}:5: dbt[0].manifest: {manifest}:1: not JSON" in body["message"]
        assert set(agent.scheduler.scheduled) == {"customers", "orders"}
    finally:
        await agent.stop()
