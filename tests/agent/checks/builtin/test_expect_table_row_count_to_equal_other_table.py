"""expect_table_row_count_to_equal_other_table: this side fuses into the dataset's scan, the
other table costs one query, in the dataset's warehouse or in another one (`other_warehouse`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.checks.results import Status
from agent.checks.runner import DatasetRunner
from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.config.models import Config
from agent.warehouses.warehouse import Warehouse
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer()}


def ids(count: int) -> list[dict[str, int]]:
    return [{"id": i} for i in range(count)]


async def test_same_warehouse_equal_and_unequal(backend: Backend, tmp_path: Path) -> None:
    backend.create_table("same", COLUMNS, ids(4))
    backend.create_table("fewer", COLUMNS, ids(3))
    kind = "expect_table_row_count_to_equal_other_table"
    ran = await run_checks(backend, tmp_path, [
        {"type": kind, "name": "equal", "other_table_name": "same"},
        {"type": kind, "name": "unequal", "other_table_name": "fewer"},
        {"type": "row_count", "min": 1},
    ], columns=COLUMNS, rows=ids(4), table="t")
    assert ran["equal"].status == Status.PASS
    assert ran["equal"].outcome.details["ge_observed_value"] == {"self": 4, "other": 4}
    unequal = ran["unequal"]
    assert unequal.status == Status.FAIL
    assert unequal.outcome.details["ge_observed_value"] == {"self": 4, "other": 3}
    assert unequal.outcome.message == "4 rows here, 3 in fewer"
    assert ran["equal"].dimension == "consistency"
    # this side's count is the dataset's own, in its one scan; each other table one query
    assert ran.run.queries == 1 + 2


async def test_other_warehouse_from_the_main_config(
    duckdb_backend: Backend, postgres_backend: Backend, tmp_path: Path
) -> None:
    duckdb_backend.create_table("orders", COLUMNS, ids(5))
    postgres_backend.create_table("invoices", COLUMNS, ids(5))
    postgres_backend.create_table("payments", COLUMNS, ids(2))
    kind = "expect_table_row_count_to_equal_other_table"
    schema = postgres_backend.schema
    config = Config.model_validate({
        "agent": {"state_dir": str(tmp_path / "state")},
        "warehouses": {"lake": {"url": duckdb_backend.url},
                       "billing": {"url": postgres_backend.url}},
        "datasets": {"orders": {"table": "orders", "warehouse": "lake", "checks": [
            {"type": kind, "name": "invoices", "other_table_name": f"{schema}.invoices",
             "other_warehouse": "billing"},
            {"type": kind, "name": "payments", "other_table_name": f"{schema}.payments",
             "other_warehouse": "billing"},
        ]}},
    })
    warehouses = {name: Warehouse(name, wc) for name, wc in config.warehouses.items()}
    try:
        run = await DatasetRunner("orders", config.datasets["orders"], warehouses["lake"],
                                  warehouses=warehouses).run()
    finally:
        for warehouse in warehouses.values():
            warehouse.close()
    results = {result.check: result for result in run.results}
    assert results["invoices"].status == Status.PASS
    assert results["payments"].status == Status.FAIL
    assert results["payments"].outcome.message == (
        f"5 rows here, 2 in {schema}.payments (warehouse billing)")


def test_an_unknown_other_warehouse_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "dq.yaml"
    path.write_text(
        "warehouses:\n"
        "  lake: {url: 'duckdb:///x.db'}\n"
        "datasets:\n"
        "  orders:\n"
        "    table: orders\n"
        "    checks:\n"
        "      - type: expect_table_row_count_to_equal_other_table\n"
        "        other_table_name: invoices\n"
        "        other_warehouse: billing\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert f"{path}:9: datasets.orders.checks[0].other_warehouse" in message
    assert "unknown warehouse 'billing'; configured warehouses: lake" in message
