"""unique on every backend: duplicates among non-null values, NULLs never duplicates."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "code": sa.String(10), "n": sa.Integer()}
# code: a, a, a, b, c, NULL, NULL, d  -> 6 non-null, 4 distinct, 2 duplicates, 2 missing
CODES = ["a", "a", "a", "b", "c", None, None, "d"]
ROWS = [{"id": i, "code": code, "n": i % 4} for i, code in enumerate(CODES)]


async def test_duplicate_counts(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "unique", "column": "code"},
        {"type": "unique", "column": "id"},
        {"type": "unique", "column": "n"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    code = ran["unique_code"].outcome
    assert ran["unique_code"].status == Status.FAIL
    assert code.unexpected_count == 2
    assert code.element_count == 8
    assert code.missing_count == 2
    assert code.observed_value == 2 / 6
    assert code.unexpected_ratio == 2 / 6
    assert (code.expected_min, code.expected_max) == (0.0, 0.0)
    assert ran["unique_code"].dimension == "uniqueness"
    assert ran["unique_id"].status == Status.PASS
    assert ran["unique_id"].outcome.unexpected_count == 0
    # n = 1, 2, 3, 0, 1, 2, 3, 0: 8 values, 4 distinct
    assert ran["unique_n"].outcome.unexpected_count == 4
    assert ran["unique_n"].outcome.observed_value == 0.5


async def test_mostly_at_the_exact_threshold(backend: Backend, tmp_path: Path) -> None:
    # 4 of 6 non-null codes are not duplicates: mostly 4/6 is met, a hair more is not.
    checks = [
        {"type": "unique", "column": "code", "name": "at", "mostly": 4 / 6},
        {"type": "unique", "column": "code", "name": "above", "mostly": 0.67},
        {"type": "unique", "column": "n", "name": "half", "mostly": 0.5},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL
    assert ran["half"].status == Status.PASS
    assert ran["above"].outcome.message == (
        "2 of 6 non-null values (33.33%) are unexpected; at most 33.00% allowed"
    )


async def test_nulls_only_and_empty(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": i, "code": None, "n": None} for i in range(3)]
    ran = await run_checks(
        backend, tmp_path, [{"type": "unique", "column": "code"}], columns=COLUMNS, rows=rows
    )
    outcome = ran["unique_code"].outcome
    assert ran["unique_code"].status == Status.PASS  # three NULLs are not duplicates
    assert (outcome.unexpected_count, outcome.missing_count, outcome.element_count) == (0, 3, 3)
    empty = await run_checks(
        backend, tmp_path, [{"type": "unique", "column": "code"}], columns=COLUMNS, rows=[]
    )
    assert empty["unique_code"].status == Status.PASS
    assert empty["unique_code"].outcome.element_count == 0


async def test_info_severity_warns(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "unique", "column": "code", "severity": "info"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["unique_code"].status == Status.WARN
