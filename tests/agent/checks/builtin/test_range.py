"""range on every backend: inclusive and strict bounds, one-sided ranges, NULLs, `mostly`."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.range import RangeSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "qty": sa.Integer(), "price": sa.Float()}
QTY = [1, 2, 3, 4, 5, None]
PRICE = [-0.5, 0.0, 2.5, 10.0, 10.25, None]
ROWS = [
    {"id": i, "qty": q, "price": p} for i, (q, p) in enumerate(zip(QTY, PRICE, strict=True))
]


async def test_inclusive_and_strict_bounds(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "range", "column": "qty", "name": "inclusive", "min": 2, "max": 4},
        {"type": "range", "column": "qty", "name": "strict_min", "min": 2, "max": 4,
         "strict_min": True},
        {"type": "range", "column": "qty", "name": "strict_max", "min": 2, "max": 4,
         "strict_max": True},
        {"type": "range", "column": "qty", "name": "strict_both", "min": 2, "max": 4,
         "strict_min": True, "strict_max": True},
        {"type": "range", "column": "qty", "name": "covers", "min": 1, "max": 5},
        {"type": "range", "column": "qty", "name": "covers_strict", "min": 1, "max": 5,
         "strict_min": True, "strict_max": True},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    unexpected = {name: r.outcome.unexpected_count for name, r in ran.results.items()}
    assert unexpected == {
        "inclusive": 2, "strict_min": 3, "strict_max": 3, "strict_both": 4,
        "covers": 0, "covers_strict": 2,
    }
    inclusive = ran["inclusive"]
    assert inclusive.status == Status.FAIL
    assert inclusive.outcome.observed_value == 2 / 5
    assert (inclusive.outcome.element_count, inclusive.outcome.missing_count) == (6, 1)
    assert (inclusive.outcome.expected_min, inclusive.outcome.expected_max) == (2, 4)
    assert inclusive.outcome.details["observed_min"] == 1
    assert inclusive.outcome.details["observed_max"] == 5
    assert ran["covers"].status == Status.PASS
    assert ran["covers_strict"].status == Status.FAIL


async def test_one_sided_and_fractional_bounds(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "range", "column": "price", "name": "non_negative", "min": 0},
        {"type": "range", "column": "price", "name": "positive", "min": 0, "strict_min": True},
        {"type": "range", "column": "price", "name": "at_most_10", "max": 10},
        {"type": "range", "column": "price", "name": "below_10_25", "max": 10.25,
         "strict_max": True},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["non_negative"].outcome.unexpected_count == 1  # -0.5
    assert ran["positive"].outcome.unexpected_count == 2  # -0.5 and 0.0
    assert ran["at_most_10"].outcome.unexpected_count == 1  # 10.25
    assert ran["below_10_25"].outcome.unexpected_count == 1  # 10.25 itself
    assert ran["non_negative"].outcome.expected_max is None
    assert float(ran["non_negative"].outcome.details["observed_min"]) == -0.5
    assert float(ran["non_negative"].outcome.details["observed_max"]) == 10.25


async def test_mostly_at_the_exact_threshold(backend: Backend, tmp_path: Path) -> None:
    # qty in [2, 4]: 3 of 5 non-null values inside, the NULL is not held against it.
    checks = [
        {"type": "range", "column": "qty", "name": "at", "min": 2, "max": 4, "mostly": 0.6},
        {"type": "range", "column": "qty", "name": "above", "min": 2, "max": 4, "mostly": 0.61},
        {"type": "range", "column": "qty", "name": "strict_at", "min": 2, "max": 4,
         "strict_max": True, "mostly": 0.4},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL
    assert ran["strict_at"].status == Status.PASS


async def test_nulls_only_and_empty(backend: Backend, tmp_path: Path) -> None:
    check = [{"type": "range", "column": "qty", "min": 0, "max": 1}]
    rows = [{"id": 1, "qty": None, "price": None}]
    ran = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=rows)
    assert ran["range_qty"].status == Status.PASS
    assert ran["range_qty"].outcome.missing_count == 1
    assert ran["range_qty"].outcome.details == {"observed_min": None, "observed_max": None}
    empty = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=[])
    assert empty["range_qty"].status == Status.PASS
    assert empty["range_qty"].outcome.unexpected_count == 0


async def test_info_severity_warns(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "range", "column": "qty", "max": 3, "severity": "info"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["range_qty"].status == Status.WARN
    assert ran["range_qty"].outcome.unexpected_count == 2


def test_spec_needs_a_bound_in_order() -> None:
    with pytest.raises(ValidationError, match="give min, max or both"):
        RangeSpec(type="range", column="c")
    with pytest.raises(ValidationError, match=r"min \(3.0\) is greater than max \(1.0\)"):
        RangeSpec(type="range", column="c", min=3, max=1)
