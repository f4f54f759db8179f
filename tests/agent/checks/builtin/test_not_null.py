"""not_null on every backend: the NULL ratio, `mostly` at its exact threshold, empty tables."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "email": sa.String(40), "score": sa.Float()}
# 10 rows: email NULL in rows 1, 2 and 3; score NULL in row 10 only.
ROWS = [
    {"id": i, "email": None if i <= 3 else f"u{i}@example.org",
     "score": None if i == 10 else i / 2}
    for i in range(1, 11)
]


async def test_null_ratio_and_counts(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "not_null", "column": "email"},
        {"type": "not_null", "column": "id"},
        {"type": "not_null", "column": "score", "mostly": 0.9},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    email = ran["not_null_email"]
    assert email.status == Status.FAIL
    assert email.outcome.observed_value == 3 / 10
    assert email.outcome.unexpected_ratio == 3 / 10
    assert (email.outcome.element_count, email.outcome.missing_count) == (10, 3)
    assert email.outcome.unexpected_count == 3
    assert (email.outcome.expected_min, email.outcome.expected_max) == (0.0, 0.0)
    assert email.outcome.message == "3 of 10 values (30.00%) are NULL; at most 0.00% allowed"
    assert email.dimension == "completeness"
    identifier = ran["not_null_id"]
    assert identifier.status == Status.PASS
    assert (identifier.outcome.observed_value, identifier.outcome.missing_count) == (0.0, 0)
    assert ran["not_null_score"].status == Status.PASS  # 9 of 10 present, mostly 0.9
    assert ran.run.queries == 1 + 1  # the fused scan, a failing-row sample for email


async def test_mostly_at_the_exact_threshold(backend: Backend, tmp_path: Path) -> None:
    # 7 of 10 emails are present: 0.7 is met exactly, 0.71 is not.
    checks = [
        {"type": "not_null", "column": "email", "name": "at", "mostly": 0.7},
        {"type": "not_null", "column": "email", "name": "above", "mostly": 0.71},
        {"type": "not_null", "column": "email", "name": "below", "mostly": 0.69},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL
    assert ran["below"].status == Status.PASS
    assert ran["above"].outcome.expected_max == 1.0 - 0.71


async def test_mostly_threshold_that_is_not_a_binary_fraction(
    backend: Backend, tmp_path: Path
) -> None:
    """1 of 5 present meets mostly 0.2, although 1.0 - 4/5 is 0.19999999999999996."""
    rows = [{"id": i, "email": "a@b.c" if i == 1 else None, "score": 1.0} for i in range(5)]
    checks = [
        {"type": "not_null", "column": "email", "name": "at", "mostly": 0.2},
        {"type": "not_null", "column": "email", "name": "above", "mostly": 0.21},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL
    assert ran["at"].outcome.missing_count == 4


async def test_all_null_and_empty(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": i, "email": None, "score": None} for i in range(4)]
    checks = [
        {"type": "not_null", "column": "email"},
        {"type": "not_null", "column": "score", "mostly": 0.0},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["not_null_email"].status == Status.FAIL
    assert ran["not_null_email"].outcome.observed_value == 1.0
    assert ran["not_null_score"].status == Status.PASS  # mostly 0 accepts anything

    empty = await run_checks(
        backend, tmp_path, [{"type": "not_null", "column": "email"}], columns=COLUMNS, rows=[]
    )
    result = empty["not_null_email"]
    assert result.status == Status.PASS
    assert (result.outcome.observed_value, result.outcome.element_count) == (0.0, 0)
    assert result.outcome.missing_count == 0


async def test_info_severity_warns(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "not_null", "column": "email", "severity": "info"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["not_null_email"].status == Status.WARN
    assert ran["not_null_email"].outcome.unexpected_count == 3
