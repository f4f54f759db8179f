"""referential_integrity on every backend: NULL-safe orphan counts with NOT EXISTS."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend


async def test_orphans_are_counted_and_nulls_are_not(backend: Backend, tmp_path: Path) -> None:
    # A NULL in the parent key would make NOT IN find no orphan at all; NOT EXISTS is not fooled.
    backend.create_table("customers", {"id": sa.Integer()}, [{"id": 1}, {"id": 2}, {"id": None}])
    rows = [{"customer_id": v} for v in (1, 2, 2, 3, 4, None, None, 1)]
    ran = await run_checks(backend, tmp_path, [
        {"type": "referential_integrity", "column": "customer_id",
         "parent_table": "customers", "parent_column": "id"},
        {"type": "referential_integrity", "column": "customer_id", "name": "mostly",
         "parent_table": "customers", "parent_column": "id", "mostly": 0.6},
    ], columns={"customer_id": sa.Integer()}, rows=rows, table="orders")
    strict = ran["referential_integrity_customer_id"]
    assert strict.status == Status.FAIL
    assert strict.outcome.unexpected_count == 2
    assert strict.outcome.element_count == 8
    assert strict.outcome.missing_count == 2
    assert strict.outcome.unexpected_ratio == 2 / 6
    assert "2 of 6 non-null values of customer_id have no match in customers.id" in (
        strict.outcome.message or "")
    assert ran["mostly"].status == Status.PASS
    assert strict.dimension == "consistency"


async def test_where_filters_the_child_rows(backend: Backend, tmp_path: Path) -> None:
    backend.create_table("customers", {"id": sa.Integer()}, [{"id": 1}])
    ran = await run_checks(backend, tmp_path, [
        {"type": "referential_integrity", "column": "customer_id",
         "parent_table": "customers", "parent_column": "id"},
    ], columns={"customer_id": sa.Integer(), "live": sa.Integer()},
        rows=[{"customer_id": 1, "live": 1}, {"customer_id": 9, "live": 0}],
        table="orders", where="live = 1")
    result = ran["referential_integrity_customer_id"]
    assert result.status == Status.PASS and result.outcome.element_count == 1


async def test_missing_parent_table_is_an_error_of_the_check(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(duckdb_backend, tmp_path, [
        {"type": "referential_integrity", "column": "customer_id",
         "parent_table": "nowhere", "parent_column": "id"},
    ], columns={"customer_id": sa.Integer()}, rows=[{"customer_id": 1}], table="orders")
    assert ran["referential_integrity_customer_id"].status == Status.ERROR
