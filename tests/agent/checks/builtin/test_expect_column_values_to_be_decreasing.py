"""expect_column_values_to_be_decreasing on every backend: row order from order_by, NULLs
skipped, strictly, mostly and parsed timestamps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "x": sa.Float(), "day": sa.Text()}
X = [9.5, 7.0, 7.0, None, 8.0, 2.0, 1.0]
DAYS = ["3/1/2016", "2/2/2016", "12/1/2015", None, "1/2/2016", "1/1/2016", "10/1/2015"]
# inserted backwards: natural order would read them the other way round
ROWS = [{"id": i, "x": x, "day": d} for i, (x, d) in enumerate(zip(X, DAYS, strict=True))][::-1]


def check(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": "expect_column_values_to_be_decreasing", "name": name, "column": "x",
            "order_by": ["id"], "result_format": "SUMMARY", **kwargs}


async def test_decreasing(backend: Backend, tmp_path: Path) -> None:
    checks = [
        check("plain"), check("strict", strictly=True), check("mostly", mostly=0.8),
        check("parsed", column="day", parse_strings_as_datetimes=True),
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    plain = ran["plain"].outcome
    assert ran["plain"].status == Status.FAIL
    assert plain.details["partial_unexpected_list"] == [8.0]  # 8.0 after 7.0 goes up
    assert "unexpected_list" not in plain.details  # SUMMARY: the partial list only
    assert (plain.element_count, plain.missing_count, plain.unexpected_count) == (7, 1, 1)
    assert ran["strict"].outcome.details["partial_unexpected_list"] == [7.0, 8.0]
    assert ran["mostly"].status == Status.PASS
    # 12/1/2015 -> 1/2/2016 goes up in time
    assert ran["parsed"].outcome.details["partial_unexpected_list"] == ["1/2/2016"]


async def test_in_order_and_empty(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": i, "x": 10.0 - i, "day": None} for i in range(4)]
    checks = [check("down", strictly=True), check("empty", column="day")]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["down"].status == Status.PASS
    assert ran["down"].outcome.details["partial_unexpected_list"] == []
    assert ran["empty"].status == Status.PASS  # no non-null value: vacuously true
    assert ran["empty"].outcome.missing_count == 4
