"""Bad input on every backend: a column that does not exist breaks only its own check, and
identifiers made of quotes, spaces and SQL are quoted, work, and never run as SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from agent.checks.results import Status
from tests.agent.checks.builtin.support import row_count, run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "code": sa.String(10), "ts": sa.DateTime()}
NOW = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
ROWS = [
    {"id": i, "code": code, "ts": NOW - timedelta(hours=i)}
    for i, code in enumerate(["a", "a", "b", None])
]
MISSING = [
    {"type": "not_null", "column": "nope"},
    {"type": "unique", "column": "nope"},
    {"type": "accepted_values", "column": "nope", "values": ["a"]},
    {"type": "regex", "column": "nope", "pattern": "a"},
    {"type": "range", "column": "nope", "min": 0},
    {"type": "freshness", "column": "nope", "max_age": "1d"},
    {"type": "custom_sql", "name": "custom_nope", "query": "SELECT nope FROM {table}"},
]
GOOD = [
    {"type": "row_count", "min": 4, "max": 4},
    {"type": "not_null", "column": "id"},
    {"type": "unique", "column": "code"},
    {"type": "freshness", "column": "ts", "max_age": "1d"},
]


async def test_a_missing_column_errors_only_its_own_check(
    backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(backend, tmp_path, [*GOOD, *MISSING], columns=COLUMNS, rows=ROWS)
    for spec in MISSING:
        name = spec.get("name") or f"{spec['type']}_nope"
        assert ran[name].status == Status.ERROR, name
        assert "nope" in (ran[name].error or ""), ran[name].error
    assert ran["row_count"].status == Status.PASS
    assert ran["not_null_id"].status == Status.PASS
    assert ran["unique_code"].status == Status.FAIL
    assert ran["unique_code"].outcome.unexpected_count == 1
    assert ran["freshness_ts"].status == Status.PASS
    assert ran.run.row_count == 4
    # one fused query failed, then each aggregate check alone, then the custom query, then
    # unique_code's failing-row sample (its look among candidate keys finds fewer rows than the
    # sample asks for, so the full predicate runs too); where statements run concurrently, the
    # two unique checks' distinct counts (a GROUP BY on PostgreSQL) are statements of their own
    # (the one over `nope` fails), and the column statistics of `nope` are read (it has a regex
    # and a GROUP BY; agent.checks.value_counts)
    standalone = 2 + 1 if backend.name == "postgresql" else 0
    assert ran.run.queries == 1 + 10 + 1 + 2 + standalone
    assert ran.stats.errors["query"] == 1 + 6 + 1 + (1 if backend.name == "postgresql" else 0)


WEIRD = 'we"ird; DROP TABLE x --'
SPACED = "my col`'s"


async def test_identifiers_with_quotes_spaces_and_sql(backend: Backend, tmp_path: Path) -> None:
    backend.create_table("x", {"id": sa.Integer()}, [{"id": 1}, {"id": 2}])
    columns = {WEIRD: sa.String(10), SPACED: sa.Integer()}
    rows = [{WEIRD: "a", SPACED: 1}, {WEIRD: "b", SPACED: 2}, {WEIRD: None, SPACED: 2},
            {WEIRD: "b", SPACED: 30}]
    checks = [
        {"type": "row_count", "min": 4, "max": 4},
        {"type": "not_null", "column": WEIRD, "name": "not_null"},
        {"type": "unique", "column": WEIRD, "name": "unique"},
        {"type": "accepted_values", "column": WEIRD, "name": "accepted", "values": ["a", "b"]},
        {"type": "regex", "column": WEIRD, "name": "regex", "pattern": "^[ab]$"},
        {"type": "range", "column": SPACED, "name": "range", "max": 10},
        {"type": "custom_sql", "name": "custom", "query": "SELECT * FROM {table}"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=columns, rows=rows, table=WEIRD)
    # the fused scan, the custom query, failing-row samples of not_null, unique (two: its look
    # among candidate keys finds fewer rows than asked for) and range; on PostgreSQL the unique
    # check's GROUP BY is a statement of its own, run alongside the scan, and the column's
    # statistics are read first (it also has a regex; agent.checks.value_counts)
    assert ran.run.queries == 2 + 4 + (2 if backend.name == "postgresql" else 0)
    assert [row[WEIRD] for row in ran["not_null"].outcome.details["failing_rows"]] == [None]
    assert sorted(row[WEIRD] for row in ran["unique"].outcome.details["failing_rows"]) == ["b", "b"]
    assert ran["range"].outcome.details["failing_rows"] == [{WEIRD: "b", SPACED: 30}]
    assert ran["row_count"].status == Status.PASS
    assert ran["not_null"].outcome.missing_count == 1
    assert ran["unique"].outcome.unexpected_count == 1
    assert ran["accepted"].status == Status.PASS
    assert ran["regex"].status == Status.PASS
    assert ran["range"].outcome.unexpected_count == 1
    assert ran["custom"].outcome.observed_value == 4
    assert row_count(backend, "x") == 2
    assert row_count(backend, WEIRD) == 4


async def test_a_table_that_does_not_exist(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "row_count", "min": 1}, {"type": "not_null", "column": "id"}]
    ran = await run_checks(backend, tmp_path, checks, table="no_such_table")
    assert all(result.status == Status.ERROR for result in ran.results.values())
    assert all("no_such_table" in (result.error or "") for result in ran.results.values())
    assert ran.run.error is not None
    assert ran.stats.up is True  # the warehouse answered; only the query was wrong
