"""reconciliation: counts and sums against another table, in the same or another warehouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.reconciliation import ReconciliationSpec
from agent.checks.results import Status
from agent.checks.runner import DatasetRunner
from agent.commands.check import render_json
from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.config.models import Config
from agent.warehouses.warehouse import Warehouse
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "amount": sa.Numeric(12, 2), "status": sa.String(10)}
ORDERS = [
    {"id": i, "amount": 10 * i, "status": "paid" if i % 4 else "void"} for i in range(1, 21)
]  # 20 rows, 15 paid; amounts 10..200, sum 2100; void amounts 40+80+...+200 = 600
INVOICES = [
    {"id": i, "amount": 10 * i, "status": "paid"} for i in range(1, 21) if i % 4
] + [{"id": 99, "amount": 5, "status": "draft"}]  # the 15 paid ones (sum 1500) and a draft


def other(**fields: Any) -> dict[str, Any]:
    return {"table": "invoices", **fields}


async def test_same_warehouse_counts_and_sums(backend: Backend, tmp_path: Path) -> None:
    backend.create_table("invoices", COLUMNS, INVOICES)
    ran = await run_checks(backend, tmp_path, [
        {"type": "reconciliation", "name": "rows", "other": other()},
        {"type": "reconciliation", "name": "paid_rows", "where": "status = 'paid'",
         "other": other(where="status = 'paid'")},
        {"type": "reconciliation", "name": "paid_sum", "aggregate": "sum", "column": "amount",
         "where": "status = 'paid'", "other": other(where="status <> 'draft'")},
        {"type": "reconciliation", "name": "sum_abs", "aggregate": "sum", "column": "amount",
         "other": other(), "tolerance": 600},
        {"type": "reconciliation", "name": "sum_pct", "aggregate": "sum", "column": "amount",
         "other": other(), "tolerance_percent": 30},
        {"type": "reconciliation", "name": "sum_both", "aggregate": "sum", "column": "amount",
         "other": other(), "tolerance": 1000, "tolerance_percent": 10},
    ], columns=COLUMNS, rows=ORDERS, table="orders")
    rows = ran["rows"]
    assert rows.status == Status.FAIL
    assert rows.outcome.observed_value == 20 - 16
    assert rows.outcome.details["sides"]["this"]["value"] == 20
    assert rows.outcome.details["sides"]["other"]["value"] == 16
    assert rows.outcome.details["difference_percent"] == 25.0
    assert "count here 20, in" in (rows.outcome.message or "")
    assert ran["paid_rows"].status == Status.PASS and ran["paid_rows"].outcome.observed_value == 0
    paid_sum = ran["paid_sum"]
    assert paid_sum.status == Status.PASS and paid_sum.outcome.observed_value == 0
    assert paid_sum.outcome.details["sides"]["this"]["value"] == 1500
    # 2100 here, 1505 there: 595 off, 39.5% of the other side
    assert ran["sum_abs"].status == Status.PASS
    assert ran["sum_abs"].outcome.observed_value == pytest.approx(595)
    assert (ran["sum_abs"].outcome.expected_min, ran["sum_abs"].outcome.expected_max) == (-600, 600)
    pct = ran["sum_pct"]
    assert pct.status == Status.FAIL
    assert pct.outcome.observed_value == pytest.approx(595 / 1505 * 100)  # percent when alone
    assert ran["sum_both"].status == Status.FAIL  # within 1000, not within 10%
    assert ran["sum_both"].outcome.observed_value == pytest.approx(595)
    assert ran["rows"].dimension == "consistency"
    # this side's aggregates fuse into the scan; each other side costs one query
    assert ran.run.queries == 1 + 6
    shown = json.loads(render_json([rows]))[0]
    assert shown["sides"]["this"]["value"] == 20 and shown["sides"]["other"]["value"] == 16
    assert shown["observed_value"] == 4


async def test_another_warehouse(
    duckdb_backend: Backend, postgres_backend: Backend, tmp_path: Path
) -> None:
    duckdb_backend.create_table("orders", COLUMNS, ORDERS)
    postgres_backend.create_table("invoices", COLUMNS, INVOICES)
    config = Config.model_validate({
        "agent": {"state_dir": str(tmp_path / "state")},
        "warehouses": {"lake": {"url": duckdb_backend.url},
                       "billing": {"url": postgres_backend.url}},
        "datasets": {"orders": {"table": "orders", "warehouse": "lake", "checks": [
            {"type": "reconciliation", "name": "paid", "where": "status = 'paid'",
             "other": {"warehouse": "billing", "table": f"{postgres_backend.schema}.invoices",
                       "where": "status = 'paid'"}},
            {"type": "reconciliation", "name": "sum", "aggregate": "sum", "column": "amount",
             "other": {"warehouse": "billing", "table": "invoices",
                       "schema": postgres_backend.schema}, "tolerance_percent": 50},
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
    assert results["paid"].status == Status.PASS
    assert results["paid"].outcome.details["sides"]["other"]["warehouse"] == "billing"
    assert results["paid"].outcome.details["sides"]["other"]["value"] == 15
    assert results["sum"].status == Status.PASS
    assert results["sum"].outcome.observed_value == pytest.approx(595 / 1505 * 100)


async def test_a_missing_other_table_errors_only_its_check(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(duckdb_backend, tmp_path, [
        {"type": "reconciliation", "other": {"table": "nowhere"}},
        {"type": "row_count", "min": 1},
    ], columns=COLUMNS, rows=ORDERS, table="orders")
    broken = ran["reconciliation_count_nowhere"]
    assert broken.status == Status.ERROR and "nowhere" in (broken.error or "")
    assert ran["row_count"].status == Status.PASS


async def test_a_warehouse_the_runner_was_not_given_is_an_error(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(duckdb_backend, tmp_path, [
        {"type": "reconciliation", "other": {"table": "orders", "warehouse": "elsewhere"}},
    ], columns=COLUMNS, rows=ORDERS, table="orders")
    result = ran["reconciliation_count_orders"]
    assert result.status == Status.ERROR
    assert "warehouse 'elsewhere' is not configured" in (result.error or "")


def test_an_unknown_other_warehouse_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "dq.yaml"
    path.write_text(
        "warehouses:\n"
        "  lake: {url: 'duckdb:///x.db'}\n"
        "datasets:\n"
        "  orders:\n"
        "    table: orders\n"
        "    checks:\n"
        "      - type: row_count\n"
        "      - type: reconciliation\n"
        "        name: vs_billing\n"
        "        other:\n"
        "          table: invoices\n"
        "          warehouse: billing\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert f"{path}:12: datasets.orders.checks[1].other.warehouse" in message
    assert "'vs_billing' of dataset 'orders'" in message
    assert "unknown warehouse 'billing'; configured warehouses: lake" in message


@pytest.mark.parametrize(("fields", "message"), [
    ({"aggregate": "sum"}, "aggregate sum needs `column`"),
    ({"tolerance": -1}, "greater than or equal to 0"),
    ({"aggregate": "avg"}, "'count' or 'sum'"),
])
def test_bad_specs_are_rejected(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ReconciliationSpec(type="reconciliation", other={"table": "t"}, **fields)
