"""expect_column_chisquare_test_p_value_to_be_greater_than: the chi-square test does not reject
that the column's values follow the categorical ``partition_object`` (p-value > ``p``).

The test needs the count of every value of the column, including values the partition does not
list (they share ``tail_weight_holdout``; without it any such value makes the p-value 0), so it
runs one GROUP BY of its own. The observed value is the p-value (SciPy's chisquare).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, GEQueryCheck
from agent.checks.builtin.partitions import chisquare_p_value, partition_kind
from agent.checks.builtin.samples import counts_and_nulls
from agent.checks.results import Outcome


class ExpectChiSquareSpec(GEColumnSpec):
    type: Literal["expect_column_chisquare_test_p_value_to_be_greater_than"]
    partition_object: dict[str, Any]
    p: float = Field(default=0.05, ge=0, le=1)
    tail_weight_holdout: float = Field(default=0.0, ge=0, le=1)

    @field_validator("partition_object")
    @classmethod
    def _categorical(cls, partition: dict[str, Any]) -> dict[str, Any]:
        if partition_kind(partition) != "categorical":
            raise ValueError("the chi-square test needs a categorical partition (values, weights)")
        return partition


class ExpectChiSquare(GEQueryCheck[ExpectChiSquareSpec]):
    spec_model = ExpectChiSquareSpec
    default_dimension = "accuracy"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        present, nulls = counts_and_nulls(connection, ctx, self.column, where)
        nonnull = sum(present.values())
        if not nonnull:
            return Outcome.failed_with_error(f"column {self.column!r} has no non-null values to test")
        try:
            p_value, details = chisquare_p_value(
                self.spec.partition_object, present, nonnull, self.spec.tail_weight_holdout)
        except ValueError as exc:  # SciPy: observed and expected totals differ
            return Outcome.failed_with_error(f"chi-square test: {exc}")
        success = p_value > self.spec.p
        rows = nonnull + nulls
        return Outcome(
            success=success, observed_value=p_value, expected_min=self.spec.p,
            element_count=rows, missing_count=nulls,
            message=None if success else f"p-value {p_value:.3g} is not above {self.spec.p}",
            details={"details": details, "missing_percent": nulls / rows * 100.0},
        )
