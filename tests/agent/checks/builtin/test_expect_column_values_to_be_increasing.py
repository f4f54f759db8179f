"""expect_column_values_to_be_increasing on every backend: row order from order_by or the table's
natural order, NULLs skipped, strictly, mostly, parsed timestamps, and the statements it costs."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.expect_column_values_to_be_increasing import ExpectIncreasingSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "x": sa.Integer(), "day": sa.Text()}
X = [1, 2, 2, None, 3, 1, 5]
DAYS = ["1/1/2016", "1/2/2016", "2/2/2016", None, "12/1/2015", "3/1/2016", "10/1/2016"]
ROWS = [{"id": i, "x": x, "day": d} for i, (x, d) in enumerate(zip(X, DAYS, strict=True))]


def shuffled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows in another insertion order, so only order_by can give the intended one."""
    copy = list(rows)
    random.Random(7).shuffle(copy)
    assert copy != rows
    return copy


def check(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": "expect_column_values_to_be_increasing", "name": name, "column": "x",
            "order_by": "id", "result_format": "COMPLETE", **kwargs}


async def test_order_by_strictly_and_nulls(backend: Backend, tmp_path: Path) -> None:
    checks = [check("plain"), check("strict", strictly=True), check("mostly", mostly=0.8)]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=shuffled(ROWS))
    plain = ran["plain"].outcome
    # 1, 2, 2, 3, 1, 5 after dropping the NULL: only the 1 after 3 goes down
    assert ran["plain"].status == Status.FAIL
    assert (plain.element_count, plain.missing_count, plain.unexpected_count) == (7, 1, 1)
    assert plain.details["unexpected_list"] == [1]
    assert plain.unexpected_ratio == pytest.approx(1 / 6)
    strict = ran["strict"].outcome
    assert strict.details["unexpected_list"] == [2, 1]  # the repeated 2 too, in row order
    assert ran["mostly"].status == Status.PASS  # 5 of 6 in order >= 0.8


async def test_natural_row_order_and_where_it_is_missing(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": i, "x": i * 10, "day": None} for i in range(5)]
    checks = [{"type": "expect_column_values_to_be_increasing", "column": "x", "name": "n"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    if backend.name == "mariadb":
        assert ran["n"].status == Status.ERROR
        assert "order_by" in (ran["n"].outcome.message or "")
    else:
        assert ran["n"].status == Status.PASS
        assert ran["n"].outcome.unexpected_count == 0


async def test_parse_strings_as_datetimes(backend: Backend, tmp_path: Path) -> None:
    checks = [
        check("parsed", column="day", parse_strings_as_datetimes=True),
        check("as_text", column="day"),
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=shuffled(ROWS))
    # as dates only 12/1/2015 goes back; as text "1/2/2016" < "12/1/2015" < "2/2/2016" and
    # "10/1/2016" < "3/1/2016" break the order instead
    assert ran["parsed"].outcome.details["unexpected_list"] == ["12/1/2015"]
    assert ran["as_text"].outcome.details["unexpected_list"] == ["12/1/2015", "10/1/2016"]


async def test_one_statement_when_in_order_a_second_for_the_unexpected_values(
    backend: Backend, tmp_path: Path
) -> None:
    in_order = [{"id": i, "x": i, "day": None} for i in range(6)]
    checks = [check("inc"), {"type": "expect_column_values_to_not_be_null", "column": "id"}]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=in_order)
    assert ran["inc"].status == Status.PASS
    assert counter.count == 2, counter.statements  # the fused scan and the ordered one

    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["inc"].status == Status.FAIL
    # ... and the failing rows, which give both the unexpected values and the samples
    assert counter.count == 3, counter.statements
    assert len(ran["inc"].outcome.details["failing_rows"]) == 1

    boolean_only = [check("inc", result_format="BOOLEAN_ONLY")]
    ran, counter = await run_counted(backend, tmp_path, boolean_only, columns=COLUMNS, rows=ROWS)
    assert ran["inc"].status == Status.FAIL
    # no values wanted, but the dataset's failing-row samples are (on by default)
    assert counter.count == 3, counter.statements
    assert "partial_unexpected_list" not in ran["inc"].outcome.details
    assert [row["x"] for row in ran["inc"].outcome.details["failing_rows"]] == [1]


def test_order_by_takes_one_column_or_a_list() -> None:
    spec = ExpectIncreasingSpec.model_validate(
        {"type": "expect_column_values_to_be_increasing", "column": "x", "order_by": "id"})
    assert spec.order_by == ["id"]
    with pytest.raises(ValidationError, match="mostly"):
        ExpectIncreasingSpec.model_validate(
            {"type": "expect_column_values_to_be_increasing", "column": "x", "mostly": 2})
