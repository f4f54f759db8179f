"""expect_column_bootstrapped_ks_test_p_value_to_be_greater_than: bootstrapped Kolmogorov-Smirnov
tests do not reject that the column's values follow the continuous ``partition_object``.

The expected CDF interpolates linearly between the partition's bins (a piecewise uniform
distribution). ``bootstrap_samples`` times (default 1000), ``bootstrap_sample_size`` values
(default twice the number of bins) are drawn with replacement and KS-tested against it; the
observed value is (1 + the number of tests with p-value >= ``p``) / (bootstrap_samples + 1) and
the expectation holds when it exceeds ``p``. The draws use a fixed seed, so the same data give
the same verdict on every run. The test needs the values: one query of its own.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, GEQueryCheck
from agent.checks.builtin.partitions import partition_kind
from agent.checks.builtin.samples import column_floats
from agent.checks.results import Outcome

SEED = 20240101  # fixed: a verdict must not change between runs on unchanged data


class ExpectBootstrappedKsSpec(GEColumnSpec):
    type: Literal["expect_column_bootstrapped_ks_test_p_value_to_be_greater_than"]
    partition_object: dict[str, Any]
    p: float = Field(default=0.05, ge=0, le=1)
    bootstrap_samples: int | None = Field(default=None, ge=1, le=100_000)
    bootstrap_sample_size: int | None = Field(default=None, ge=1, le=1_000_000)

    @field_validator("partition_object")
    @classmethod
    def _finite_bins(cls, partition: dict[str, Any]) -> dict[str, Any]:
        if partition_kind(partition) != "continuous":
            raise ValueError("the KS test needs a continuous partition (bins, weights)")
        if "tail_weights" in partition:
            raise ValueError("Partition cannot have tail weights: the KS test needs its bins "
                             "to cover every expected value")
        if not all(math.isfinite(float(edge)) for edge in partition["bins"]):
            raise ValueError("partition_object bins must be finite for the KS test")
        return partition


class ExpectBootstrappedKs(GEQueryCheck[ExpectBootstrappedKsSpec]):
    spec_model = ExpectBootstrappedKsSpec
    default_dimension = "accuracy"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        values, rows = column_floats(connection, ctx, self.column, where)
        if not len(values):
            return Outcome.failed_with_error(f"column {self.column!r} has no non-null values to test")
        spec = self.spec
        bins = [float(edge) for edge in spec.partition_object["bins"]]
        weights = [float(w) for w in spec.partition_object["weights"]]
        expected_cdf = np.append(np.array([0]), np.cumsum(weights))
        rounds = spec.bootstrap_samples or 1000
        size = spec.bootstrap_sample_size or 2 * len(weights)
        draws = np.random.default_rng(SEED).choice(values, size=(rounds, size), replace=True)
        from scipy import stats  # SciPy is imported on use: it takes a second to import
        p_values = stats.ks_1samp(draws, lambda x: np.interp(x, bins, expected_cdf), axis=1).pvalue
        observed = (1 + int(np.sum(p_values >= spec.p))) / (rounds + 1)
        success = observed > spec.p
        details = {"bootstrap_samples": rounds, "bootstrap_sample_size": size,
                   **observed_partition(values, bins, weights, expected_cdf)}
        return Outcome(
            success=success, observed_value=observed, expected_min=spec.p,
            element_count=rows, missing_count=rows - len(values),
            message=None if success else (
                f"bootstrapped KS p-value {observed:.3g} is not above {spec.p}"),
            details={"details": details},
        )


def observed_partition(
    values: np.ndarray[Any, Any], bins: list[float], weights: list[float],
    expected_cdf: np.ndarray[Any, Any],
) -> dict[str, Any]:
    """The observed partition on the expected bins, widened to the data's minimum and maximum
    where values fall outside them, and both CDFs, as Great Expectations reports them."""
    hist, _ = np.histogram(values, bins)
    below = int(np.sum(values < bins[0]))
    above = int(np.sum(values > bins[-1]))
    edges, counts = list(bins), list(hist)
    if below:
        edges, counts = [float(np.min(values)), *edges], [below, *counts]
    if above:
        edges, counts = [*edges, float(np.max(values))], [*counts, above]
    observed_weights = np.array(counts) / len(values)
    return {
        "observed_partition": {"bins": edges, "weights": observed_weights.tolist()},
        "expected_partition": {"bins": bins, "weights": weights},
        "observed_cdf": {"x": edges, "cdf_values": [0, *np.cumsum(observed_weights).tolist()]},
        "expected_cdf": {"x": bins, "cdf_values": expected_cdf.tolist()},
    }
