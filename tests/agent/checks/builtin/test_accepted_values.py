"""accepted_values on every backend: strings and numbers, NULLs neither expected nor unexpected."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.accepted_values import AcceptedValuesSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "status": sa.String(30), "level": sa.Integer()}
STATUSES = ["new", "paid", "paid", "shipped", "lost", None, "new", "refunded", None, "paid"]
LEVELS = [1, 2, 3, 4, 5, 1, 2, 3, None, 9]
ROWS = [
    {"id": i, "status": status, "level": level}
    for i, (status, level) in enumerate(zip(STATUSES, LEVELS, strict=True))
]
KNOWN = ["new", "paid", "shipped"]


async def test_unexpected_values_counted(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "accepted_values", "column": "status", "values": KNOWN},
        {"type": "accepted_values", "column": "level", "values": [1, 2, 3, 4, 5]},
        {"type": "accepted_values", "column": "status", "name": "all",
         "values": [*KNOWN, "lost", "refunded"]},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    status = ran["accepted_values_status"]
    assert status.status == Status.FAIL
    # 8 non-null statuses, "lost" and "refunded" are not accepted
    assert status.outcome.unexpected_count == 2
    assert status.outcome.observed_value == 2 / 8
    assert (status.outcome.element_count, status.outcome.missing_count) == (10, 2)
    assert status.outcome.expected_value == KNOWN
    level = ran["accepted_values_level"]
    assert level.status == Status.FAIL
    assert (level.outcome.unexpected_count, level.outcome.missing_count) == (1, 1)  # the 9
    assert level.outcome.observed_value == 1 / 9
    assert ran["all"].status == Status.PASS
    assert ran["all"].outcome.unexpected_count == 0
    assert ran.run.queries == 1 + 2  # the fused scan, a failing-row sample per failing check


async def test_mostly_at_the_exact_threshold(backend: Backend, tmp_path: Path) -> None:
    # 6 of 8 non-null statuses accepted: 0.75 met, 0.76 not; NULLs do not count against it.
    checks = [
        {"type": "accepted_values", "column": "status", "name": "at", "mostly": 0.75,
         "values": KNOWN},
        {"type": "accepted_values", "column": "status", "name": "above", "mostly": 0.76,
         "values": KNOWN},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL


async def test_only_nulls_and_empty(backend: Backend, tmp_path: Path) -> None:
    check = [{"type": "accepted_values", "column": "status", "values": KNOWN}]
    rows = [{"id": 1, "status": None, "level": None}, {"id": 2, "status": None, "level": None}]
    ran = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=rows)
    outcome = ran["accepted_values_status"].outcome
    assert ran["accepted_values_status"].status == Status.PASS
    assert (outcome.unexpected_count, outcome.missing_count, outcome.observed_value) == (0, 2, 0.0)
    empty = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=[])
    assert empty["accepted_values_status"].status == Status.PASS
    assert empty["accepted_values_status"].outcome.element_count == 0


async def test_values_with_quotes_are_bound_not_spliced(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": 1, "status": "it's", "level": 1}, {"id": 2, "status": "x') OR ('1'='1",
                                                      "level": 1}]
    checks = [{"type": "accepted_values", "column": "status", "values": ["it's"]}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["accepted_values_status"].outcome.unexpected_count == 1
    assert ran["accepted_values_status"].status == Status.FAIL


async def test_info_severity_warns(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "accepted_values", "column": "status", "values": KNOWN,
               "severity": "info"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["accepted_values_status"].status == Status.WARN


def test_values_are_required() -> None:
    with pytest.raises(ValidationError):
        AcceptedValuesSpec(type="accepted_values", column="c", values=[])
