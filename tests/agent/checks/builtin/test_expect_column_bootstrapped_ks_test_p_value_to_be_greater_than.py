"""expect_column_bootstrapped_ks_test_p_value_to_be_greater_than on every backend: a matching
and a shifted partition, the reported partitions and CDFs, repeatable verdicts, bad partitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.expect_column_bootstrapped_ks_test_p_value_to_be_greater_than import (
    ExpectBootstrappedKsSpec,
)
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.support.backends import Backend

TYPE = "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than"
VALUES = np.random.default_rng(5).normal(0.0, 1.0, 400).round(6)
HIST, EDGES = np.histogram(VALUES, bins=10)
MATCHING = {"bins": EDGES.tolist(), "weights": (HIST / len(VALUES)).tolist()}
SHIFTED = {"bins": (EDGES + 1.5).tolist(), "weights": MATCHING["weights"]}
INNER = {"bins": [-1.0, 0.0, 1.0], "weights": [0.5, 0.5]}  # values lie on both sides of it
COLUMNS = {"x": sa.Double()}
ROWS = [{"x": float(v)} for v in VALUES] + [{"x": None}]


def boot(name: str, partition: dict[str, Any]) -> dict[str, Any]:
    return {"type": TYPE, "name": name, "column": "x", "partition_object": partition}


async def test_bootstrapped_ks(backend: Backend, tmp_path: Path) -> None:
    checks = [boot("matching", MATCHING), boot("shifted", SHIFTED), boot("inner", INNER),
              boot("matching_again", MATCHING)]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1 + 4, counter.statements  # the scan, the values for each test
    assert ran["matching"].status == Status.PASS
    assert ran["shifted"].status == Status.FAIL
    assert ran["matching"].outcome.observed_value == ran["matching_again"].outcome.observed_value
    details = ran["matching"].outcome.details["details"]
    assert (details["bootstrap_samples"], details["bootstrap_sample_size"]) == (1000, 20)
    assert details["expected_cdf"]["cdf_values"][-1] == pytest.approx(1.0)
    inner = ran["inner"].outcome.details["details"]
    # the observed CDF runs from the data's minimum to its maximum around the partition's bins
    assert inner["observed_cdf"]["x"] == [VALUES.min(), -1.0, 0.0, 1.0, VALUES.max()]
    below, above = np.sum(VALUES < -1), np.sum(VALUES > 1)
    assert inner["observed_partition"]["weights"][0] == pytest.approx(below / len(VALUES))
    assert inner["observed_partition"]["weights"][-1] == pytest.approx(above / len(VALUES))
    assert inner["observed_cdf"]["cdf_values"][-1] == pytest.approx(1.0)
    assert (ran["inner"].outcome.element_count, ran["inner"].outcome.missing_count) == (401, 1)


@pytest.mark.parametrize(("partition", "message"), [
    ({"bins": [1, 2, 3], "weights": [0.25, 0.25], "tail_weights": [0.25, 0.25]}, "tail weights"),
    ({"values": ["A", "B"], "weights": [0.5, 0.5]}, "continuous"),
    ({"bins": [-np.inf, 0, 1], "weights": [0.5, 0.5]}, "finite"),
])
def test_bad_partitions(partition: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectBootstrappedKsSpec.model_validate(
            {"type": TYPE, "column": "x", "partition_object": partition})
