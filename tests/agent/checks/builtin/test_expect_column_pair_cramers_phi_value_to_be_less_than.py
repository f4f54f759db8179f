"""expect_column_pair_cramers_phi_value_to_be_less_than: Great Expectations' own cases (only_for
pandas there, so the conformance run skips them) on DuckDB and PostgreSQL, and on every backend
the contingency table, binning and phi checked against SciPy, one GROUP BY per check."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from scipy.stats import chi2_contingency

from agent.checks.builtin.expect_column_pair_cramers_phi_value_to_be_less_than import (
    ExpectCramersPhiSpec,
)
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.conformance.cases import CASES_DIR, load_cases
from tests.conformance.compare import mismatch
from tests.conformance.execute import run_cases
from tests.conformance.tables import create
from tests.support.backends import Backend, open_backend
from tests.support.components import unavailable

TYPE = "expect_column_pair_cramers_phi_value_to_be_less_than"


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
async def test_great_expectations_cases(backend_name: str, tmp_path: Path) -> None:
    if not CASES_DIR.is_dir():
        unavailable(f"Great Expectations conformance cases not found at {CASES_DIR}")
    cases = [case for case in load_cases() if case.dataset.expectation_type == TYPE]
    assert len(cases) == 5, [case.id for case in cases]
    with open_backend(backend_name, tmp_path) as backend:
        table = create(backend, cases[0].dataset)
        observed, _ = await run_cases(backend, table, cases)
    problems = {case.title: mismatch(case, observed[case.id]) for case in cases}
    assert problems == dict.fromkeys(problems), problems
    # mismatch() compares with the cases' tolerances; the exact values too
    phis = {case.title: observed[case.id].result.outcome.observed_value  # type: ignore[union-attr]
            for case in cases}
    assert phis["basic_failure_test"] == pytest.approx(1.0)
    assert phis["test_string_n_bins"] == pytest.approx(0.8498365855987975, rel=1e-12)
    assert phis["test_float_with_missing"] == pytest.approx(0.0, abs=1e-12)


COLUMNS = {"g": sa.Text(), "h": sa.Text(), "x": sa.Double(), "y": sa.Double()}
G = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "c", None, None]
H = ["u", "u", "v", "u", "v", "v", "w", "w", "w", "u", "u", "v"]
X = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, None]
Y = [10.0, 11.0, 10.0, 11.0, 12.0, 12.0, 13.0, 14.0, 13.0, 14.0, 15.0, 16.0]
ROWS = [{"g": g, "h": h, "x": x, "y": y} for g, h, x, y in zip(G, H, X, Y, strict=True)]


def phi(table: list[list[int]]) -> float:
    """Cramér's phi of a contingency table, SciPy's chi-square with its default correction."""
    counts = np.array(table)
    chi2 = chi2_contingency(counts).statistic
    return min(math.sqrt(chi2 / counts.sum() / (min(counts.shape) - 1)), 1.0)


def crosstab(a: list[Any], b: list[Any]) -> list[list[int]]:
    rows, cols = sorted(set(a), key=str), sorted(set(b), key=str)
    return [[sum(1 for x, y in zip(a, b, strict=True) if (x, y) == (r, c)) for c in cols]
            for r in rows]


def cramers(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": TYPE, "name": name, **kwargs}


async def test_binning_and_phi_against_scipy(backend: Backend, tmp_path: Path) -> None:
    checks = [
        cramers("strings", column_A="g", column_B="h", threshold=0.9),
        cramers("grouped", column_A="g", column_B="h", bins_B=[["u", "v"]], threshold=0.1),
        cramers("top_one", column_A="g", column_B="h", n_bins_A=1),
        cramers("numeric", column_A="x", column_B="y", n_bins_A=2, bins_B=[12.0, 14.0]),
    ]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1 + len(checks), counter.statements  # the scan, one GROUP BY each
    missing_g = ["(missing)" if g is None else g for g in G]
    strings = ran["strings"].outcome
    assert strings.observed_value == pytest.approx(phi(crosstab(missing_g, H)))
    assert ran["strings"].status == Status.PASS
    assert strings.element_count == len(ROWS)
    assert strings.details["details"]["crosstab"]["rows"] == ["a", "b", "c", "(missing)"]
    grouped_h = ["u, v" if h in ("u", "v") else h for h in H]
    assert ran["grouped"].outcome.observed_value == pytest.approx(
        phi(crosstab(missing_g, grouped_h)))
    assert ran["grouped"].status == Status.FAIL
    # c is the most frequent value of g (4 rows): a and b become "(other)"
    top_g = ["(missing)" if g is None else g if g == "c" else "(other)" for g in G]
    assert ran["top_one"].outcome.observed_value == pytest.approx(phi(crosstab(top_g, H)))
    # x: two equal bins over [0, 5] and a missing category; y: edges 12, 14 widened to 10, 16
    x_bins = ["(missing)" if x is None else int(x >= 2.5) for x in X]
    y_bins = [0 if y < 12 else 1 if y < 14 else 2 for y in Y]
    numeric = ran["numeric"].outcome
    assert numeric.observed_value == pytest.approx(phi(crosstab(x_bins, y_bins)))
    assert numeric.details["details"]["crosstab"]["columns"] == [
        "[10.0, 12.0)", "[12.0, 14.0)", "[14.0, 16.0)"]


async def test_a_single_category_leaves_phi_undefined(backend: Backend, tmp_path: Path) -> None:
    rows = [{"g": "a", "h": h, "x": None, "y": None} for h in ("u", "v", "u")]
    checks = [cramers("one_value", column_A="g", column_B="h"),
              cramers("numeric_edges_on_text", column_A="g", column_B="h", bins_A=[1, 2])]
    ran, _ = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    one = ran["one_value"]
    assert one.status == Status.FAIL and one.outcome.observed_value is None
    assert "two categories each" in (one.outcome.message or "")
    edges = ran["numeric_edges_on_text"]
    assert edges.status == Status.ERROR
    assert "bins_A holds bin edges" in (edges.outcome.message or "")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"bins_A": [1, ["a"]]}, "bins_A must be bin edges"),
    ({"bins_B": []}, "bins_B is empty"),
    ({"n_bins_A": 0}, "greater than or equal to 1"),
    ({"threshold": -0.1}, "greater than or equal to 0"),
])
def test_bad_bins_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectCramersPhiSpec.model_validate({"type": TYPE, "column_A": "a", "column_B": "b",
                                             **kwargs})
