"""expect_column_chisquare_test_p_value_to_be_greater_than on every backend: the p-value of the
counts against a categorical partition, unlisted values with and without a holdout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from scipy import stats

from agent.checks.builtin.expect_column_chisquare_test_p_value_to_be_greater_than import (
    ExpectChiSquareSpec,
)
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.support.backends import Backend

COLUMNS = {"c": sa.Text()}
COUNTS = {"A": 45, "B": 35, "C": 18, "D": 2}
ROWS = [{"c": value} for value, n in COUNTS.items() for _ in range(n)] + [{"c": None}] * 5
PARTITION = {"values": ["A", "B", "C"], "weights": [0.5, 0.3, 0.2]}


def chi(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": "expect_column_chisquare_test_p_value_to_be_greater_than", "name": name,
            "column": "c", "partition_object": PARTITION, **kwargs}


async def test_p_values(backend: Backend, tmp_path: Path) -> None:
    checks = [chi("holdout", tail_weight_holdout=0.05), chi("no_holdout"),
              chi("listed_only", partition_object={"values": ["A", "B", "C", "D"],
                                                   "weights": [0.45, 0.35, 0.18, 0.02]})]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1 + 3, counter.statements  # the scan, one GROUP BY each
    # D is not listed: it takes the 5% holdout, the listed values share the other 95%
    expected = stats.chisquare([45, 35, 18, 2], [0.5 * 95, 0.3 * 95, 0.2 * 95, 5.0])[1]
    holdout = ran["holdout"].outcome
    assert holdout.observed_value == pytest.approx(expected)
    assert ran["holdout"].status == (Status.PASS if expected > 0.05 else Status.FAIL)
    assert (holdout.element_count, holdout.missing_count) == (105, 5)
    details = holdout.details["details"]
    assert details["observed_partition"]["values"] == ["A", "B", "C", "D"]
    assert details["observed_partition"]["weights"] == pytest.approx([0.45, 0.35, 0.18, 0.02])
    assert details["expected_partition"]["weights"] == pytest.approx([0.475, 0.285, 0.19, 0.05])
    assert ran["no_holdout"].outcome.observed_value == 0.0  # D was expected never to occur
    assert ran["no_holdout"].status == Status.FAIL
    assert ran["listed_only"].outcome.observed_value == pytest.approx(1.0)
    assert ran["listed_only"].status == Status.PASS


def test_needs_a_categorical_partition() -> None:
    with pytest.raises(ValidationError, match="categorical"):
        ExpectChiSquareSpec.model_validate({
            "type": "expect_column_chisquare_test_p_value_to_be_greater_than", "column": "c",
            "partition_object": {"bins": [0, 1], "weights": [1.0]}})
