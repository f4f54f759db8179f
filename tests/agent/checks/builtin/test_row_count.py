"""row_count on every backend: bounds inclusive, the dataset filter, an empty table, severity."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.row_count import RowCountSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "region": sa.String(10)}
ROWS = [{"id": i, "region": "eu" if i <= 3 else "us"} for i in range(1, 8)]  # 3 eu, 4 us


async def test_bounds_are_inclusive(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "row_count", "name": "exact", "min": 7, "max": 7},
        {"type": "row_count", "name": "too_few", "min": 8},
        {"type": "row_count", "name": "too_many", "max": 6},
        {"type": "row_count", "name": "only_min", "min": 1},
        {"type": "row_count", "name": "no_bounds"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert {name: r.status for name, r in ran.results.items()} == {
        "exact": Status.PASS, "too_few": Status.FAIL, "too_many": Status.FAIL,
        "only_min": Status.PASS, "no_bounds": Status.PASS,
    }
    exact = ran["exact"].outcome
    assert (exact.observed_value, exact.element_count) == (7, 7)
    assert (exact.expected_min, exact.expected_max) == (7, 7)
    assert exact.message is None
    assert ran["too_few"].outcome.message == "7 rows, expected between 8 and None"
    assert ran["too_many"].outcome.observed_value == 7
    assert ran.run.row_count == 7
    assert ran.run.queries == 1


async def test_dataset_filter_applies(backend: Backend, tmp_path: Path) -> None:
    checks = [{"type": "row_count", "min": 4, "max": 4}]
    ran = await run_checks(
        backend, tmp_path, checks, columns=COLUMNS, rows=ROWS, where="region = 'us'"
    )
    assert ran["row_count"].status == Status.PASS
    assert ran["row_count"].outcome.observed_value == 4
    assert ran.run.row_count == 4


async def test_empty_table(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "row_count", "name": "may_be_empty", "min": 0},
        {"type": "row_count", "name": "must_have_rows", "min": 1},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=[])
    assert ran["may_be_empty"].status == Status.PASS
    assert ran["must_have_rows"].status == Status.FAIL
    assert ran["must_have_rows"].outcome.observed_value == 0
    assert ran["must_have_rows"].outcome.element_count == 0
    assert ran.run.row_count == 0


async def test_severity_sets_the_failing_status(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "row_count", "name": "info", "min": 100, "severity": "info"},
        {"type": "row_count", "name": "warning", "min": 100, "severity": "warning"},
        {"type": "row_count", "name": "critical", "min": 100, "severity": "critical"},
        {"type": "row_count", "name": "info_passing", "max": 100, "severity": "info"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["info"].status == Status.WARN
    assert ran["warning"].status == Status.FAIL
    assert ran["critical"].status == Status.FAIL
    assert ran["critical"].severity == "critical"
    assert ran["info_passing"].status == Status.PASS
    assert not ran["info"].success


def test_bounds_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match=r"min \(5\) is greater than max \(4\)"):
        RowCountSpec(type="row_count", min=5, max=4)
    with pytest.raises(ValidationError):
        RowCountSpec(type="row_count", min=-1)
