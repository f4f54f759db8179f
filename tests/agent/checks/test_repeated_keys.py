"""Repeated keys' failing-row samples: the candidate keys' look first, the full predicate when it
finds fewer rows than the sample asks for; on every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from agent.checks.base import QueryContext
from agent.checks.repeated_keys import CANDIDATE_KEYS, candidate_key_filter
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

ROWS_PAST_CANDIDATES = CANDIDATE_KEYS + 200
COLUMNS = {"id": sa.Integer(), "code": sa.Integer(), "part": sa.Integer()}
CHECKS: list[dict[str, Any]] = [
    {"type": "unique", "column": "code", "name": "unique"},
    {"type": "duplicates", "columns": ["code", "part"], "name": "duplicates"},
    {"type": "expect_column_values_to_be_unique", "column": "code", "name": "ge_unique"},
    {"type": "expect_compound_columns_to_be_unique", "column_list": ["code", "part"],
     "name": "ge_compound"},
]
SAMPLED = [check["name"] for check in CHECKS]


def _rows(repeated_codes: dict[int, int]) -> list[dict[str, Any]]:
    """Rows 1..ROWS_PAST_CANDIDATES with code = id and part = 0, except that row ``r`` of
    ``repeated_codes`` takes the code (and part) of another row."""
    return [{"id": i, "code": repeated_codes.get(i, i), "part": 0}
            for i in range(1, ROWS_PAST_CANDIDATES + 1)]


def _context(backend: Backend) -> QueryContext:
    table = sa.table("t", *(sa.column(name) for name in COLUMNS), schema=backend.schema)
    return QueryContext(table=table, dialect=backend.engine.dialect, now=None)  # type: ignore[arg-type]


def _ids_where(
    backend: Backend, ctx: QueryContext, predicate: Any, where: str | None = None
) -> list[int]:
    table = ctx.table  # the predicate correlates with this very table clause
    statement = sa.select(table.c.id).select_from(table).where(predicate).order_by(table.c.id)
    if where:
        statement = statement.where(sa.text(where))
    with backend.engine.connect() as connection:
        return [int(row[0]) for row in connection.execute(statement)]


def test_candidate_keys_are_the_first_keys_met(backend: Backend) -> None:
    """Duplicates among the first keys are found; a duplicate whose key first appears past the
    first CANDIDATE_KEYS keys is not (the full predicate's job)."""
    late = ROWS_PAST_CANDIDATES - 1  # rows late and late + 1 share a code met after the candidates
    backend.create_table("t", COLUMNS, _rows({2: 1, 3: 1, late + 1: late}))
    ctx = _context(backend)
    assert _ids_where(backend, ctx, candidate_key_filter(ctx, ["code"], None)) == [1, 2, 3]
    # the dataset's filter applies to the grouping: without row 3, code 1 repeats in rows 1-2;
    # without rows 1-2 it does not repeat at all
    keys = ["code", "part"]
    assert _ids_where(backend, ctx, candidate_key_filter(ctx, keys, "id <> 3"), "id <> 3") == [1, 2]
    assert _ids_where(backend, ctx, candidate_key_filter(ctx, keys, "id > 2"), "id > 2") == []


async def _sample_statements(
    backend: Backend, tmp_path: Path, limit: int
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """The failing rows of each check with samples of ``limit`` rows, and the statements the
    samples cost (the run's statements minus those of the same run without samples)."""
    without = await run_checks(backend, tmp_path, CHECKS, options={"failing_row_samples": {"limit": 0}})
    ran = await run_checks(backend, tmp_path, CHECKS, options={"failing_row_samples": {"limit": limit}})
    for name in SAMPLED:
        assert ran[name].status == Status.FAIL, name
    rows = {name: ran[name].outcome.details["failing_rows"] for name in SAMPLED}
    return rows, ran.run.queries - without.run.queries


async def test_samples_come_from_candidates_when_they_suffice(
    backend: Backend, tmp_path: Path
) -> None:
    """Code 1 (rows 1-3) and code 10 (rows 10-11) repeat among the first keys: 5 rows, enough
    for a sample of 5, so each check's sample is one statement."""
    backend.create_table("t", COLUMNS, _rows({2: 1, 3: 1, 11: 10}))
    rows, statements = await _sample_statements(backend, tmp_path, limit=5)
    for name, sampled in rows.items():
        assert sorted(row["id"] for row in sampled) == [1, 2, 3, 10, 11], (name, sampled)
    assert statements == len(SAMPLED)


async def test_samples_fall_back_to_every_key_when_candidates_find_too_few(
    backend: Backend, tmp_path: Path
) -> None:
    """Code 1 repeats among the first keys (rows 1-2), and a code first met past the candidate
    keys repeats too: the candidates' look finds 2 rows of the 5 asked for, so the full
    predicate runs as well (two statements per check) and finds all 4."""
    late = ROWS_PAST_CANDIDATES - 1
    backend.create_table("t", COLUMNS, _rows({2: 1, late + 1: late}))
    rows, statements = await _sample_statements(backend, tmp_path, limit=5)
    for name, sampled in rows.items():
        assert sorted(row["id"] for row in sampled) == [1, 2, late, late + 1], (name, sampled)
    assert statements == 2 * len(SAMPLED)
