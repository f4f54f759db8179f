"""expect_column_kl_divergence_to_be_less_than: the Kullback-Leibler divergence of the column's
distribution from ``partition_object`` is at most ``threshold`` (any value passes without one).

A continuous partition (bins) is an aggregate check: one SUM(CASE ...) per bin plus the counts
below and above the bins, fused into the dataset's scan. A categorical partition (values) needs
the count of every value of the column, including values the partition does not list (they
share ``tail_weight_holdout``), so it runs one GROUP BY of its own. ``internal_weight_holdout``
is shared among the zero-weight bins, ``tail_weight_holdout`` between the two tails (continuous)
or among the unlisted values (categorical). An infinite divergence is reported as None.

Without ``partition_object`` Great Expectations builds the partition from the column itself;
the divergence of a column from its own partition is 0 by construction, so the check reports 0
and passes (the form exists for profiling, not for monitoring).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, Check, QueryCheck, QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec
from agent.checks.builtin.partitions import (
    above_condition,
    below_condition,
    bin_conditions,
    finite_or_none,
    kl_categorical,
    kl_continuous,
    partition_kind,
)
from agent.checks.builtin.samples import counts_and_nulls
from agent.checks.expressions import count_non_null, count_rows, count_where
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome


class ExpectKlDivergenceSpec(GEColumnSpec):
    type: Literal["expect_column_kl_divergence_to_be_less_than"]
    partition_object: dict[str, Any] | None = None
    threshold: float | None = Field(default=None, ge=0)
    tail_weight_holdout: float = Field(default=0.0, ge=0, le=1)
    internal_weight_holdout: float = Field(default=0.0, ge=0, le=1)
    bucketize_data: bool = True

    @model_validator(mode="after")
    def _usable_partition(self) -> ExpectKlDivergenceSpec:
        partition = self.partition_object
        if partition is None:
            return self
        kind = partition_kind(partition)
        if self.tail_weight_holdout and "tail_weights" in partition:
            raise ValueError("tail_weight_holdout must be 0 when the partition has tail_weights")
        if kind == "categorical":
            if self.internal_weight_holdout:
                raise ValueError("internal_weight_holdout cannot be used with a categorical "
                                 "partition (values); use tail_weight_holdout")
            return self
        if not self.bucketize_data:
            raise ValueError("a continuous partition (bins) needs bucketize_data: true")
        bins = partition["bins"]
        if bins[0] == -math.inf or bins[-1] == math.inf:
            if "tail_weights" in partition:
                raise ValueError("a partition with an infinite end has no tail_weights")
            if bins[0] == -math.inf and bins[-1] == math.inf and self.tail_weight_holdout:
                raise ValueError("tail_weight_holdout cannot be used when both ends are infinite")
        return self

    def categorical(self) -> bool:
        return self.partition_object is not None and partition_kind(self.partition_object) == "categorical"


class ExpectKlDivergence(Check[ExpectKlDivergenceSpec]):
    """Registers the type; each instance is the continuous or the categorical form below."""

    spec_model = ExpectKlDivergenceSpec
    default_dimension: ClassVar[str] = "accuracy"

    def __new__(cls, spec: ExpectKlDivergenceSpec) -> ExpectKlDivergence:
        if cls is ExpectKlDivergence:
            cls = _CategoricalKl if spec.categorical() else _ContinuousKl
        return super().__new__(cls)

    def verdict(self, divergence: float, nonnull: int, rows: int, details: dict[str, Any]) -> Outcome:
        threshold = self.spec.threshold
        success = True if threshold is None else divergence <= threshold
        observed = finite_or_none(divergence)
        message = None if success else (
            f"KL divergence {observed if observed is not None else 'infinite'} exceeds {threshold}")
        return Outcome(
            success=success, observed_value=observed, expected_max=threshold,
            element_count=rows, missing_count=rows - nonnull, message=message,
            details={"details": details,
                     "missing_percent": (rows - nonnull) / rows * 100.0 if rows else None},
        )


class _ContinuousKl(ExpectKlDivergence, AggregateCheck[ExpectKlDivergenceSpec]):
    """Bins (or no partition): counts per bin fused into the dataset's scan."""

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.column)
        metrics = {"rows": count_rows(), "nonnull": count_non_null(column)}
        partition = self.spec.partition_object
        if partition is None:
            return metrics
        bins = [float(b) for b in partition["bins"]]
        for index, condition in enumerate(bin_conditions(column, bins)):
            metrics[f"bin{index}"] = count_where(condition)
        metrics["below"] = count_where(below_condition(column, bins))
        metrics["above"] = count_where(above_condition(column, bins))
        return metrics

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows, nonnull = as_int(values["rows"]), as_int(values["nonnull"])
        partition = self.spec.partition_object
        if partition is None:
            divergence = 0.0 if nonnull else math.nan
            return self.verdict(divergence, nonnull, rows, {})
        hist = [as_int(values[f"bin{i}"]) for i in range(len(partition["weights"]))]
        divergence, details = kl_continuous(
            partition, hist, as_int(values["below"]), as_int(values["above"]), nonnull,
            self.spec.tail_weight_holdout, self.spec.internal_weight_holdout,
        )
        return self.verdict(divergence, nonnull, rows, details)


class _CategoricalKl(ExpectKlDivergence, QueryCheck[ExpectKlDivergenceSpec]):
    """Values: every value's count, from one GROUP BY."""

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        present, nulls = counts_and_nulls(connection, ctx, self.column, where)
        nonnull = sum(present.values())
        assert self.spec.partition_object is not None
        divergence, details = kl_categorical(
            self.spec.partition_object, present, nonnull, self.spec.tail_weight_holdout)
        return self.verdict(divergence, nonnull, nonnull + nulls, details)
