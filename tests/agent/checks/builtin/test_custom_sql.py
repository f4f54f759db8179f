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
from tests.support.components import not_applicable

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
    for result in ran.results.values():  # the statement runs nested, where no CTE may write
        assert "data-modifying statement must be at the top level" in (result.error or "")
    assert row_count(postgres_backend) == 6
    assert sorted(_amounts(postgres_backend)) == AMOUNTS


HIDDEN_SEPARATORS = {
    "e_string": "SELECT E'\\''; COMMIT; DROP TABLE {table}; --'",
    "backslash": "SELECT 'a\\''; COMMIT; DROP TABLE {table}; -- '",
    "dollar_quote": "SELECT $$'$$; COMMIT; DROP TABLE {table}; --'",
    "nested_comment": "SELECT /* /* */ ' */ 1; COMMIT; DROP TABLE {table}; --'",
    "dash_comment": "SELECT 1 --x'\n; COMMIT; DROP TABLE {table}; --'",
    "hash_comment": "SELECT 1 #'\n; COMMIT; DROP TABLE {table}; --'",
    "out_of_the_wrapper": "SELECT 1) AS x; COMMIT; DELETE FROM {table}; SELECT * FROM (SELECT 1",
}


async def test_separators_hidden_by_quoting_tricks_are_refused(
    backend: Backend, tmp_path: Path
) -> None:
    """Each query hides a ';' from a reader that knows only one dialect's quoting rules."""
    checks = [
        {"type": "custom_sql", "name": f"{name}_{mode}", "query": query, "mode": mode,
         **({"min": 0} if mode == "metric" else {})}
        for name, query in HIDDEN_SEPARATORS.items() for mode in ("failing_rows", "metric")
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    for name, result in ran.results.items():
        if backend.name == "duckdb" and name.startswith("backslash"):
            # DuckDB's parser reads one SELECT of the string 'a\'; COMMIT; ...'
            assert result.status in (Status.FAIL, Status.ERROR), name
            continue
        assert result.status == Status.ERROR, name
        if backend.name != "duckdb":
            assert "remove the ';' separators" in (result.error or ""), (name, result.error)
    assert row_count(backend) == 6
    assert sorted(_amounts(backend)) == AMOUNTS


DRIVER_REFUSALS = {
    "postgresql": "cannot insert multiple commands into a prepared statement",
    "sqlite": "You can only execute one statement at a time",
    "mariadb": "You have an error in your SQL syntax",  # PyMySQL sends no MULTI_STATEMENTS flag
}


async def test_the_driver_refuses_a_second_statement_the_parser_missed(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with the separator check switched off, the statement still fails."""
    if backend.name not in DRIVER_REFUSALS:
        not_applicable("DuckDB statements are split by DuckDB's own parser, tested above")
    refusal = DRIVER_REFUSALS[backend.name]
    monkeypatch.setattr("agent.warehouses.readonly._LEXERS", [])
    query = HIDDEN_SEPARATORS["out_of_the_wrapper"]
    checks = [
        {"type": "custom_sql", "name": "rows", "query": query},
        {"type": "custom_sql", "name": "metric", "query": query, "mode": "metric", "min": 0},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    for result in ran.results.values():
        assert result.status == Status.ERROR
        assert refusal in (result.error or ""), result.error
    assert row_count(backend) == 6


async def test_a_non_numeric_metric_is_an_error_of_that_check_only(
    backend: Backend, tmp_path: Path
) -> None:
    checks = [
        {"type": "custom_sql", "name": "text", "mode": "metric", "min": 0,
         "query": "SELECT note FROM {table} WHERE amount = 0"},
        {"type": "custom_sql", "name": "number", "mode": "metric", "min": 6, "max": 6,
         "query": "SELECT count(*) FROM {table}"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["text"].status == Status.ERROR
    assert ran["text"].outcome.message == (
        "the query returned 'a;b', not a number; mode metric needs one numeric value in the "
        "first column"
    )
    assert ran["number"].status == Status.PASS


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
