"""The runner on every backend: one fused query for N checks, fallback when a check is broken."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.checks.results import Status
from agent.checks.runner import DatasetRunner
from agent.warehouses.warehouse import Warehouse
from tests.conftest import make_config
from tests.support.backends import Backend

ROWS = [
    {"id": i, "name": None if i % 10 == 0 else f"n{i}", "amount": float(i), "kind": "ab"[i % 2]}
    for i in range(1, 101)
]
COLUMNS = {"id": sa.Integer(), "name": sa.String(50), "amount": sa.Float(), "kind": sa.String(5)}

CHECKS = [
    {"type": "row_count", "min": 100, "max": 100},
    {"type": "not_null", "column": "name", "mostly": 0.85},
    {"type": "not_null", "column": "id"},
    {"type": "unique", "column": "id"},
    {"type": "unique", "column": "kind", "name": "kind_unique"},
    {"type": "accepted_values", "column": "kind", "values": ["a", "b"]},
    {"type": "regex", "column": "name", "pattern": "^n[0-9]+$"},
    {"type": "range", "column": "amount", "min": 1, "max": 50, "mostly": 0.4},
]


async def test_n_checks_cost_one_query(backend: Backend, tmp_path: Path, count_queries) -> None:
    backend.create_table("items", COLUMNS, ROWS)
    config = make_config(
        backend, {"items": {"table": backend.qualified("items"), "checks": CHECKS}}, tmp_path
    )
    warehouse = Warehouse("w", config.warehouses["w"])
    counter = count_queries(warehouse.engine)
    try:
        run = await DatasetRunner("items", config.datasets["items"], warehouse).run()
    finally:
        warehouse.close()
    # one fused scan for the eight checks, then a failing-row sample for kind_unique; on
    # PostgreSQL the two unique checks' GROUP BYs are statements of their own, run alongside
    # the scan (the table is read as often either way), after one catalogue query for the
    # statistics of kind (whose accepted-values count could move into its GROUP BY)
    grouped = 2 if backend.name == "postgresql" else 0
    catalogue = 1 if backend.name == "postgresql" else 0
    assert counter.count == 2 + grouped + catalogue, counter.statements
    assert run.queries == 2 + grouped + catalogue
    if backend.name == "postgresql":
        assert sum(statement.lstrip().startswith("SELECT (SELECT")
                   for statement in counter.statements) == grouped
    assert run.row_count == 100
    statuses = {result.check: result.status for result in run.results}
    assert statuses == {
        "row_count": Status.PASS,
        "not_null_name": Status.PASS,
        "not_null_id": Status.PASS,
        "unique_id": Status.PASS,
        "kind_unique": Status.FAIL,
        "accepted_values_kind": Status.PASS,
        "regex_name": Status.PASS,
        "range_amount": Status.PASS,
    }
    by_name = {result.check: result for result in run.results}
    assert by_name["not_null_name"].outcome.observed_value == 0.1
    assert by_name["range_amount"].outcome.unexpected_count == 50
    assert by_name["kind_unique"].outcome.unexpected_count == 98


async def test_broken_check_does_not_hide_the_others(backend: Backend, tmp_path: Path) -> None:
    backend.create_table("items", COLUMNS, ROWS)
    checks = [*CHECKS, {"type": "not_null", "column": "no_such_column", "name": "broken"}]
    config = make_config(
        backend, {"items": {"table": backend.qualified("items"), "checks": checks}}, tmp_path
    )
    warehouse = Warehouse("w", config.warehouses["w"])
    try:
        run = await DatasetRunner("items", config.datasets["items"], warehouse).run()
    finally:
        warehouse.close()
    by_name = {result.check: result for result in run.results}
    assert by_name["broken"].status == Status.ERROR
    assert by_name["broken"].error
    others = [r for r in run.results if r.check != "broken"]
    assert len(others) == len(CHECKS)
    assert all(r.status in (Status.PASS, Status.FAIL) for r in others)
    assert by_name["kind_unique"].status == Status.FAIL
    assert run.row_count == 100


async def test_split_past_the_expression_limit(
    duckdb_backend: Backend, tmp_path: Path, count_queries
) -> None:
    columns = {f"c{i}": sa.Integer() for i in range(60)}
    duckdb_backend.create_table("wide", columns, [{f"c{i}": i for i in range(60)}])
    checks = [{"type": "not_null", "column": f"c{i}"} for i in range(60)]
    config = make_config(duckdb_backend, {"wide": {"table": "wide", "checks": checks}}, tmp_path)
    warehouse = Warehouse("w", config.warehouses["w"])
    counter = count_queries(warehouse.engine)
    try:
        run = await DatasetRunner("wide", config.datasets["wide"], warehouse).run()
    finally:
        warehouse.close()
    # 60 distinct non-null counts plus the shared row count: two SELECTs of at most 50 columns.
    assert counter.count == 2
    assert all(r.status == Status.PASS for r in run.results)
    assert len(run.results) == 60
