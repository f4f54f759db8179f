"""expect_column_quantile_values_to_be_between on every backend: exact discrete quantiles as each
dialect's Great Expectations SQL engine computes them, fused into the dataset's one SELECT, the
dataset's filter inside the subquery forms, Great Expectations' range test, and the refused
quantile_ranges."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.base import build_check
from agent.checks.builtin.expect_column_quantile_values_to_be_between import (
    ExpectQuantileValuesBetweenSpec,
)
from agent.checks.results import Status
from agent.rules.convert import dataset_config
from agent.rules.models import Expectation, RuleFile
from agent.rules.templates import now_utc
from tests.agent.checks.builtin.counted import run_counted
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

TYPE = "expect_column_quantile_values_to_be_between"
COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "x": sa.Double(), "k": sa.BigInteger(), "e": sa.Double()}
# 25 distinct values in random order and two NULLs; k holds integers, e only NULLs
_shuffled = random.Random(7).sample([i * 1.5 - 10.0 for i in range(25)], 25)
X: list[float | None] = [*_shuffled[:12], None, *_shuffled[12:], None]
ROWS = [{"x": x, "k": None if x is None else int(x * 2), "e": None} for x in X]
# 0.56 of 25 values separates exact ranks (SQLite: 14th) from double ones (PostgreSQL: 15th),
# 0.95 percentile_disc (24th) from MySQL's percent_rank form (23rd)
QUANTILES = [0.0, 0.1, 0.25, 0.5, 0.56, 0.95, 1.0]


def rank(q: float, n: int, dialect: str) -> int:
    """The 1-based rank Great Expectations' SQL engine reads for quantile ``q`` on ``dialect``."""
    if dialect == "sqlite":
        return max(1, math.ceil(Fraction(str(q)) * n))
    if dialect == "mariadb":
        return math.floor(q * (n - 1)) + 1
    return max(1, math.ceil(q * n))


def expected_quantiles(values: list[Any], dialect: str) -> list[Any]:
    present = sorted(v for v in values if v is not None)
    return [present[rank(q, len(present), dialect) - 1] for q in QUANTILES]


def quantiles(name: str, ranges: list[list[float | None]], column: str = "x",
              qs: list[float] = QUANTILES) -> dict[str, Any]:
    return {"type": TYPE, "name": name, "column": column,
            "quantile_ranges": {"quantiles": qs, "value_ranges": ranges}}


async def test_quantiles_fuse_and_match_each_dialect(backend: Backend, tmp_path: Path) -> None:
    # the data tells the three dialect forms apart
    assert [rank(0.56, 25, d) for d in ("sqlite", "postgresql")] == [14, 15]
    assert [rank(0.95, 25, d) for d in ("mariadb", "postgresql")] == [23, 24]
    want = expected_quantiles(X, backend.name)
    around = [[v - 0.1, v + 0.1] for v in want]
    checks = [
        quantiles("around", around),
        quantiles("one_off", [*around[:3], [want[3] + 0.5, None], *around[4:]]),
        quantiles("open", [[None, None]] * len(QUANTILES)),
        quantiles("integers", [[None, None]] * len(QUANTILES), column="k"),
        quantiles("empty", [[None, None]] * len(QUANTILES), column="e"),
        {"type": "expect_column_values_to_not_be_null", "column": "x", "mostly": 0.5},
    ]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1, counter.statements  # every quantile in the dataset's one SELECT
    around_result = ran["around"].outcome
    observed = around_result.details["ge_observed_value"]
    assert observed == {"quantiles": QUANTILES, "values": pytest.approx(want)}
    assert ran["around"].status == Status.PASS
    assert around_result.details["details"]["success_details"] == [True] * len(QUANTILES)
    assert (around_result.element_count, around_result.missing_count) == (27, 2)
    one_off = ran["one_off"]
    assert one_off.status == Status.FAIL
    assert one_off.outcome.details["details"]["success_details"] == [
        True, True, True, False, True, True, True]
    assert "quantile 0.5 is" in (one_off.outcome.message or "")
    assert ran["open"].status == Status.PASS
    ints = ran["integers"].outcome.details["ge_observed_value"]["values"]
    assert ints == expected_quantiles([r["k"] for r in ROWS], backend.name)
    assert all(isinstance(v, int) for v in ints)
    empty = ran["empty"]
    assert empty.status == Status.FAIL  # no quantiles: no range can hold them
    assert empty.outcome.details["ge_observed_value"]["values"] == [None] * len(QUANTILES)
    assert "no non-null values" in (empty.outcome.message or "")


async def test_the_dataset_filter_applies_to_every_form(backend: Backend, tmp_path: Path) -> None:
    kept = [x for x in X if x is not None and x > 5]
    want = expected_quantiles(kept, backend.name)
    ran = await run_checks(backend, tmp_path, [quantiles("q", [[None, None]] * len(QUANTILES))],
                           columns=COLUMNS, rows=ROWS, where="x > 5")
    outcome = ran["q"].outcome
    assert outcome.details["ge_observed_value"]["values"] == pytest.approx(want)
    assert outcome.element_count == len(kept)


async def test_bounds_are_inclusive_with_great_expectations_tolerance(
    backend: Backend, tmp_path: Path,
) -> None:
    rows = [{"x": v, "k": None, "e": None} for v in (1000.0, 2000.0, 3000.0)]
    checks = [
        quantiles("on_bounds", [[2000.0, 2000.0]], qs=[0.5]),
        quantiles("within_tolerance", [[2000.1, None], [None, 2999.8]], qs=[0.5, 1.0]),
        quantiles("beyond_tolerance", [[2000.5, None]], qs=[0.5]),
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["on_bounds"].status == Status.PASS
    assert ran["within_tolerance"].status == Status.PASS  # |2000 - 2000.1| <= 1e-4 * 2000.1
    assert ran["beyond_tolerance"].status == Status.FAIL


@pytest.mark.parametrize(("ranges", "message"), [
    ({"quantiles": [0.0, 0.25, 0.5, 0.75, 1.0],
      "value_ranges": [[-3, None], [-0.6, -0.8], [-0.1, 0.1], [0.8, 0.6], [3, None]]},
     r"quantile_ranges must consist of ordered pairs: value_ranges\[1\] is \[-0.6, -0.8\]"),
    ({"quantiles": [0.25, 0.75], "value_ranges": [[0, 1]]},
     "2 quantiles but 1 value_ranges"),
    ({"quantiles": [0.5, 1.5], "value_ranges": [[0, 1], [0, 2]]},
     r"quantiles must lie between 0 and 1; got \[1.5\]"),
    ({"quantiles": [0.5], "value_ranges": [[0, 1, 2]]},
     r"value_ranges\[0\] is \[0.0, 1.0, 2.0\]; give \[min, max\]"),
    ({"quantiles": [], "value_ranges": []}, "at least 1 item"),
])
def test_bad_quantile_ranges_are_refused(ranges: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectQuantileValuesBetweenSpec.model_validate(
            {"type": TYPE, "column": "x", "quantile_ranges": ranges})


def test_alias_quantiles_in_rule_files() -> None:
    ranges = {"quantiles": [0.5], "value_ranges": [[0, 1]]}
    rule = RuleFile(rule_id="r", dataset="t", expectations=[
        Expectation(expectation_type="quantiles", column="x", kwargs={"quantile_ranges": ranges})])
    (spec,) = dataset_config(rule, now_utc()).check_specs()
    assert spec.type == TYPE
    assert build_check(spec).spec.quantile_ranges.quantiles == [0.5]
