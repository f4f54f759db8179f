"""expect_column_kl_divergence_to_be_less_than on every backend: continuous partitions fused into
the dataset's scan (bin edges, tails, holdouts), categorical ones by one GROUP BY, infinite
divergences, and the partitions that are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from scipy import stats

from agent.checks.builtin.expect_column_kl_divergence_to_be_less_than import ExpectKlDivergenceSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.counted import run_counted
from tests.support.backends import Backend

COLUMNS = {"x": sa.Double(), "c": sa.Text()}
X = [-0.5, 0.0, 0.5, 1.0, 1.5, 1.5, 2.0, 3.0, 4.0, None]  # 3.0 on the last edge: last bin
C = ["a", "a", "a", "b", "b", "c", None, None, None, None]
ROWS = [{"x": x, "c": c} for x, c in zip(X, C, strict=True)]
BINS = [0.0, 1.0, 2.0, 3.0]
WEIGHTS = [0.3, 0.4, 0.3]


def kl(name: str, partition: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return {"type": "expect_column_kl_divergence_to_be_less_than", "name": name, "column": "x",
            "partition_object": partition, "result_format": "SUMMARY", **kwargs}


async def test_continuous_partitions_fuse_into_one_scan(backend: Backend, tmp_path: Path) -> None:
    checks = [
        kl("holdout", {"bins": BINS, "weights": WEIGHTS}, threshold=0.5, tail_weight_holdout=0.2),
        kl("no_holdout", {"bins": BINS, "weights": WEIGHTS}, threshold=0.5),
        kl("open_ends", {"bins": [-np.inf, *BINS, np.inf], "weights": [0.1, 0.3, 0.3, 0.2, 0.1]},
           threshold=0.01),
        {"type": "expect_column_values_to_not_be_null", "column": "x", "mostly": 0.5},
    ]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1, counter.statements  # all of them in the dataset's one scan
    values = np.array([v for v in X if v is not None])
    hist, _ = np.histogram(values, BINS)  # [0, 1): 2, [1, 2): 3, [2, 3]: 2
    below, above = int(np.sum(values < 0)), int(np.sum(values > 3))
    n = len(values)
    observed = [below / n, *(hist / n), above / n]
    expected = [0.1, *(np.array(WEIGHTS) * 0.8), 0.1]
    holdout = ran["holdout"].outcome
    assert holdout.observed_value == pytest.approx(stats.entropy(observed, expected))
    assert ran["holdout"].status == Status.PASS
    partition = holdout.details["details"]["observed_partition"]
    assert partition["bins"] == BINS
    assert partition["weights"] == pytest.approx(list(hist / n))
    assert partition["tail_weights"] == pytest.approx([below / n, above / n])
    assert (holdout.element_count, holdout.missing_count) == (10, 1)
    # without a tail holdout the values outside the bins make the divergence infinite
    assert ran["no_holdout"].outcome.observed_value is None
    assert ran["no_holdout"].status == Status.FAIL
    open_ends = ran["open_ends"].outcome
    open_hist, _ = np.histogram(values, [-np.inf, *BINS, np.inf])  # 3.0 joins [3, inf)
    assert open_ends.observed_value == pytest.approx(
        stats.entropy(open_hist / n, [0.1, 0.3, 0.3, 0.2, 0.1]))
    assert ran["open_ends"].status == Status.FAIL  # above the 0.01 threshold
    assert open_ends.details["details"]["expected_partition"]["tail_weights"] == [0.1, 0.1]


async def test_categorical_partition_runs_one_group_by(backend: Backend, tmp_path: Path) -> None:
    values = {"values": ["a", "b"], "weights": [0.6, 0.4]}
    checks = [
        kl("holdout", values, column="c", threshold=0.2, tail_weight_holdout=0.1),
        kl("strict", values, column="c", threshold=0.2),
        kl("no_threshold", values, column="c"),
    ]
    ran, counter = await run_counted(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert counter.count == 1 + 3, counter.statements  # the scan, one GROUP BY each
    # observed a: 3/6, b: 2/6, c: 1/6; c is not listed and takes the whole holdout
    expected = stats.entropy([3 / 6, 2 / 6, 1 / 6], [0.6 * 0.9, 0.4 * 0.9, 0.1])
    assert ran["holdout"].outcome.observed_value == pytest.approx(expected)
    assert ran["holdout"].status == Status.PASS
    assert ran["holdout"].outcome.details["details"]["observed_partition"]["values"] == ["a", "b", "c"]
    assert ran["strict"].outcome.observed_value is None  # c has no weight at all
    assert ran["strict"].status == Status.FAIL
    assert ran["no_threshold"].status == Status.PASS  # nothing to exceed


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"partition_object": {}}, "weights"),
    ({"partition_object": {"bins": [0, 1], "weights": [0.5, 0.5]}}, "one more bin edge"),
    ({"partition_object": {"bins": [0, 2, 1], "weights": [0.5, 0.5]}}, "increase"),
    ({"partition_object": {"bins": [0, 1, 2], "weights": [0.5, 0.2]}}, "sum to 1"),
    ({"partition_object": {"values": ["a"], "weights": [1.0]}, "internal_weight_holdout": 0.1},
     "categorical"),
    ({"partition_object": {"bins": [0, 1], "weights": [0.8], "tail_weights": [0.1, 0.1]},
      "tail_weight_holdout": 0.1}, "tail_weights"),
    ({"partition_object": {"bins": [-np.inf, 0, np.inf], "weights": [0.5, 0.5]},
      "tail_weight_holdout": 0.1}, "infinite"),
    ({"partition_object": {"bins": [0, 1], "weights": [1.0]}, "threshold": -1}, "threshold"),
])
def test_refused_partitions(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectKlDivergenceSpec.model_validate(
            {"type": "expect_column_kl_divergence_to_be_less_than", "column": "x", **kwargs})
