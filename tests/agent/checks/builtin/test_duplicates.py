"""duplicates on every backend: rows sharing a composite key, NULL keys, bounds, samples."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.duplicates import DuplicatesSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"a": sa.Integer(), "b": sa.String(5), "live": sa.Integer()}
KEYS: list[tuple[int | None, str | None]] = [
    (1, "a"), (1, "a"),  # a repeated key: 2 duplicate rows
    (1, "b"),
    (2, "a"), (2, "a"), (2, "a"),  # 3 duplicate rows
    (None, "a"), (None, "a"),  # NULL in the key: duplicates only with nulls_equal
    (3, None),
]
ROWS = [{"a": a, "b": b, "live": 1 if index < 6 else 0} for index, (a, b) in enumerate(KEYS)]


async def test_rows_of_repeated_keys_are_counted(backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(backend, tmp_path, [
        {"type": "duplicates", "columns": ["a", "b"]},
        {"type": "duplicates", "columns": ["a", "b"], "nulls_equal": True, "name": "nulls_equal"},
        {"type": "duplicates", "columns": ["a", "b"], "max_duplicates": 5, "name": "five"},
        {"type": "duplicates", "columns": ["a", "b"], "mostly": 0.1, "name": "mostly_low"},
        {"type": "duplicates", "columns": ["a", "b"], "mostly": 0.5, "name": "mostly_high"},
        {"type": "duplicates", "columns": ["b"], "name": "single"},
    ], columns=COLUMNS, rows=ROWS)
    strict = ran["duplicates_a_b"]
    assert strict.status == Status.FAIL
    outcome = strict.outcome
    assert outcome.observed_value == 5 and outcome.unexpected_count == 5
    assert (outcome.element_count, outcome.missing_count) == (9, 3)  # 3 rows with a NULL key part
    assert outcome.unexpected_ratio == 5 / 6
    assert outcome.details["duplicate_keys"] == 2
    assert (outcome.expected_min, outcome.expected_max) == (0, 0)
    assert "5 of 6 rows" in (outcome.message or "") and "(a, b)" in (outcome.message or "")
    assert strict.dimension == "uniqueness"

    equal = ran["nulls_equal"].outcome
    assert (equal.unexpected_count, equal.missing_count, equal.details["duplicate_keys"]) == (7, 0, 3)
    assert equal.unexpected_ratio == 7 / 9

    assert ran["five"].status == Status.PASS and ran["five"].outcome.expected_max == 5
    assert ran["mostly_low"].status == Status.PASS  # 1 of 6 rows unique >= 0.1
    assert ran["mostly_high"].status == Status.FAIL
    single = ran["single"].outcome  # b: 'a' x7 repeats; 'b' once; NULL never a duplicate
    assert (single.unexpected_count, single.missing_count) == (7, 1)


async def test_where_filters_rows_before_grouping(backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(backend, tmp_path, [
        {"type": "duplicates", "columns": ["a", "b"], "nulls_equal": True},
    ], columns=COLUMNS, rows=ROWS, where="live = 0")
    outcome = ran["duplicates_a_b"].outcome  # (None, a) x2 and (3, None) remain
    assert (outcome.element_count, outcome.unexpected_count) == (3, 2)


async def test_failing_rows_carry_a_repeated_key(backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(backend, tmp_path, [
        {"type": "duplicates", "columns": ["a", "b"]},
        {"type": "duplicates", "columns": ["a", "b"], "nulls_equal": True, "name": "nulls_equal"},
    ], columns=COLUMNS, rows=ROWS)
    strict = ran["duplicates_a_b"].outcome.details["failing_rows"]
    assert Counter((row["a"], row["b"]) for row in strict) == {(1, "a"): 2, (2, "a"): 3}
    assert set(strict[0]) == {"a", "b", "live"}  # whole rows
    equal = ran["nulls_equal"].outcome.details["failing_rows"]
    assert len(equal) == 5  # the default limit of 7 duplicate rows
    assert all(KEYS.count((row["a"], row["b"])) > 1 for row in equal)


async def test_a_passing_check_fetches_no_samples(duckdb_backend: Backend, tmp_path: Path) -> None:
    rows = [{"a": i, "b": "x", "live": 1} for i in range(5)]
    ran = await run_checks(duckdb_backend, tmp_path, [
        {"type": "duplicates", "columns": ["a", "b"]},
    ], columns=COLUMNS, rows=rows)
    result = ran["duplicates_a_b"]
    assert result.status == Status.PASS and result.outcome.observed_value == 0
    assert "failing_rows" not in result.outcome.details
    assert ran.run.queries == 2  # the dataset's row-count scan and the GROUP BY


@pytest.mark.parametrize(("columns", "message"), [
    ([], "at least 1 item"),
    (["a", "a"], "columns repeat a"),
    (["a", ""], "cannot be empty"),
])
def test_bad_key_lists_are_rejected(columns: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DuplicatesSpec(type="duplicates", columns=columns)
