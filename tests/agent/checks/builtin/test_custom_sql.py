"""custom_sql on every backend: failing rows and metric modes, {table}, and statements that try
to write, which are refused or fail read-only with every row still in place afterwards."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb_engine
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from agent.checks.base import QueryContext
from agent.checks.builtin.custom_sql import CustomSqlCheck, CustomSqlSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import row_count, run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "amount": sa.Integer(), "note": sa.String(20)}
AMOUNTS = [-2, -1, 0, 1, 2, 3]  # sum 3, two negatives
ROWS = [{"id": i, "amount": a, "note": "a;b" if a == 0 else "x"} for i, a in enumerate(AMOUNTS)]


async def test_failing_rows_mode(backend: Backend, tmp_path: Path) -> None:
    negative = "SELECT * FROM {table} WHERE amount < 0"
    checks = [
        {"type": "custom_sql", "name": "none_allowed", "query": negative},
        {"type": "custom_sql", "name": "two_allowed", "query": negative, "max_failing_rows": 2},
        {"type": "custom_sql", "name": "one_allowed", "query": negative, "max_failing_rows": 1},
        {"type": "custom_sql", "name": "clean", "query": "SELECT id FROM {table} WHERE id > 99"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    none_allowed = ran["none_allowed"]
    assert none_allowed.status == Status.FAIL
    assert none_allowed.outcome.observed_value == 2
    assert none_allowed.outcome.unexpected_count == 2
    assert (none_allowed.outcome.expected_min, none_allowed.outcome.expected_max) == (0, 0)
    assert none_allowed.outcome.message == "2 failing rows returned by the query"
    assert none_allowed.dimension == "consistency"
    assert ran["two_allowed"].status == Status.PASS
    assert ran["one_allowed"].status == Status.FAIL
    assert ran["clean"].status == Status.PASS
    assert ran["clean"].outcome.observed_value == 0
    assert ran.run.queries == 1 + len(checks)  # custom SQL is never fused


async def test_metric_mode(backend: Backend, tmp_path: Path) -> None:
    total = "SELECT sum(amount) FROM {table}"
    checks = [
        {"type": "custom_sql", "name": "exact", "query": total, "mode": "metric",
         "min": 3, "max": 3},
        {"type": "custom_sql", "name": "too_low", "query": total, "mode": "metric", "min": 3.5},
        {"type": "custom_sql", "name": "too_high", "query": total, "mode": "metric", "max": 2},
        {"type": "custom_sql", "name": "nothing", "mode": "metric", "min": 0,
         "query": "SELECT amount FROM {table} WHERE amount > 100"},
        {"type": "custom_sql", "name": "info", "query": total, "mode": "metric", "max": 0,
         "severity": "info"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["exact"].status == Status.PASS
    assert ran["exact"].outcome.observed_value == 3.0
    assert (ran["exact"].outcome.expected_min, ran["exact"].outcome.expected_max) == (3, 3)
    assert ran["too_low"].status == Status.FAIL
    assert ran["too_low"].outcome.message == "value 3 outside [3.5, None]"
    assert ran["too_high"].status == Status.FAIL
    assert ran["nothing"].status == Status.FAIL
    assert ran["nothing"].outcome.message == "the query returned no value"
    assert ran["info"].status == Status.WARN


async def test_literals_comments_and_trailing_semicolon_are_accepted(
    backend: Backend, tmp_path: Path
) -> None:
    checks = [
        {"type": "custom_sql", "name": "semicolon_in_literal",
         "query": "SELECT * FROM {table} WHERE note = 'a;b'"},
        {"type": "custom_sql", "name": "leading_comment",
         "query": "-- rows with a negative amount\nSELECT * FROM {table} WHERE amount < 0;"},
        {"type": "custom_sql", "name": "cte", "mode": "metric", "min": 6, "max": 6,
         "query": "WITH c AS (SELECT id FROM {table}) SELECT count(*) FROM c"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["semicolon_in_literal"].outcome.observed_value == 1
    assert ran["leading_comment"].outcome.observed_value == 2
    assert ran["cte"].status == Status.PASS


WRITES = {
    "delete": "DELETE FROM {table}",
    "update": "UPDATE {table} SET amount = 0",
    "insert": "INSERT INTO {table} (id, amount) VALUES (99, 1)",
    "drop": "DROP TABLE {table}",
    "truncate": "TRUNCATE TABLE {table}",
    "commented_delete": "/* looks harmless */ DELETE FROM {table}",
    "select_then_drop": "SELECT 1; DROP TABLE {table}",
    "select_then_delete": "SELECT * FROM {table}; DELETE FROM {table}",
    "cte_then_delete": "WITH x AS (SELECT 1) DELETE FROM {table}",
}


async def test_writes_are_refused_and_nothing_changes(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "custom_sql", "name": f"{name}_{mode}", "query": query, "mode": mode,
         **({"min": 0} if mode == "metric" else {})}
        for name, query in WRITES.items() for mode in ("failing_rows", "metric")
    ]
    checks.append({"type": "row_count", "min": 6, "max": 6})
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    statuses = {name: r.status for name, r in ran.results.items()}
    assert statuses == {**{c["name"]: Status.ERROR for c in checks[:-1]}, "row_count": Status.PASS}
    for name in ("delete_metric", "drop_failing_rows", "update_metric", "commented_delete_metric"):
        assert "custom SQL must be" in (ran[name].error or ""), ran[name].error
    for name in ("select_then_drop_metric", "select_then_delete_failing_rows"):
        assert "custom SQL must be" in (ran[name].error or ""), ran[name].error
    assert ran.stats.errors["refused"] >= 14
    assert row_count(backend) == 6
    assert sorted(_amounts(backend)) == AMOUNTS


async def test_postgresql_data_modifying_cte_fails(postgres_backend: Backend, tmp_path: Path
                                                   ) -> None:
    query = "WITH d AS (DELETE FROM {table} RETURNING *) SELECT * FROM d"
    checks = [
        {"type": "custom_sql", "name": "as_failing_rows", "query": query},
        {"type": "custom_sql", "name": "as_metric", "query": query.replace("*) SELECT *",
                                                                          "*) SELECT count(*)"),
         "mode": "metric", "min": 0},
        {"type": "custom_sql", "name": "update_cte", "mode": "metric", "min": 0,
         "query": "WITH u AS (UPDATE {table} SET amount = 0 RETURNING 1) SELECT count(*) FROM u"},
    ]
    ran = await run_checks(postgres_backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert all(r.status == Status.ERROR for r in ran.results.values()), ran.results
    assert "read-only transaction" in (ran["as_metric"].error or "")
    assert "read-only transaction" in (ran["update_cte"].error or "")
    assert row_count(postgres_backend) == 6
    assert sorted(_amounts(postgres_backend)) == AMOUNTS


def _amounts(backend: Backend) -> list[int]:
    table = sa.table("t", sa.column("amount"), schema=backend.schema)
    with backend.engine.connect() as connection:
        return [int(value) for value in connection.execute(sa.select(table.c.amount)).scalars()]


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (postgresql.dialect(), 'SELECT * FROM sales."Order Items" WHERE x < 0'),
        (duckdb_engine.Dialect(), 'SELECT * FROM sales."Order Items" WHERE x < 0'),
        (sa.create_engine("mariadb+pymysql://u@h/d").dialect,
         "SELECT * FROM sales.`Order Items` WHERE x < 0"),
    ],
)
def test_table_placeholder_is_quoted_for_the_dialect(dialect: Dialect, expected: str) -> None:
    check = CustomSqlCheck(CustomSqlSpec(
        type="custom_sql", query="SELECT * FROM {table} WHERE x < 0;"
    ))
    context = QueryContext(
        table=sa.table("Order Items", schema="sales"), dialect=dialect, now=datetime.now(UTC)
    )
    assert check.statement(context) == expected


def test_metric_mode_needs_a_bound() -> None:
    with pytest.raises(ValidationError, match="mode metric needs min, max or both"):
        CustomSqlSpec(type="custom_sql", query="SELECT 1", mode="metric")
