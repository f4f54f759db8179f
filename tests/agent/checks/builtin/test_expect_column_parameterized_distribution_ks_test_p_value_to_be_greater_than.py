"""expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than on every backend:
the KS p-value against SciPy's distributions, params as a mapping or positional, bad params."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from scipy import stats

from agent.checks.builtin.expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than import (
    ExpectParameterizedKsSpec,
)
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.support.backends import Backend

TYPE = "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than"
NORMAL = np.random.default_rng(3).normal(10.0, 2.0, 300).round(6)
UNIFORM = np.random.default_rng(7).uniform(-5.0, 5.0, 300).round(6)
COLUMNS = {"n": sa.Double(), "u": sa.Double()}
ROWS = [{"n": float(a), "u": float(b)} for a, b in zip(NORMAL, UNIFORM, strict=True)]


def ks(name: str, column: str, distribution: str, params: Any) -> dict[str, Any]:
    return {"type": TYPE, "name": name, "column": column, "distribution": distribution,
            "params": params}


async def test_p_values(backend: Backend, tmp_path: Path) -> None:
    checks = [
        ks("normal", "n", "norm", {"mean": 10, "std_dev": 2}),
        ks("shifted", "n", "norm", [11, 2]),
        ks("uniform", "u", "uniform", {"min": -5, "max": 10}),  # loc -5, scale 10: [-5, 5]
        ks("too_narrow", "u", "uniform", [-5, 8]),
    ]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1 + 4, counter.statements  # the scan, the values for each test
    normal = ran["normal"].outcome
    assert normal.observed_value == pytest.approx(stats.kstest(NORMAL, "norm", (10, 2)).pvalue)
    assert ran["normal"].status == Status.PASS
    assert normal.details["details"]["expected_params"] == [10.0, 2.0]
    assert ran["shifted"].outcome.observed_value == pytest.approx(
        stats.kstest(NORMAL, "norm", (11, 2)).pvalue)
    assert ran["shifted"].status == Status.FAIL
    assert ran["uniform"].outcome.observed_value == pytest.approx(
        stats.kstest(UNIFORM, "uniform", (-5, 10)).pvalue)
    assert ran["uniform"].status == Status.PASS
    assert ran["too_narrow"].status == Status.FAIL
    assert (normal.element_count, normal.missing_count) == (300, 0)


@pytest.mark.parametrize(("distribution", "params", "message"), [
    ("norm", {"mean": 0}, "missing: std_dev"),
    ("norm", {"mean": 0, "std_dev": -1}, "positive"),
    ("gamma", {"alpha": 1, "shape": 2}, "unknown: shape"),
    ("beta", [1], "positional"),
    ("lognorm", [1], "distribution"),
])
def test_bad_params(distribution: str, params: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectParameterizedKsSpec.model_validate(
            {"type": TYPE, "column": "n", "distribution": distribution, "params": params})
