"""expect_column_median_to_be_between: the median of the non-null values lies within the bounds
(its own query: the values are needed, SQLite has no median)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEQueryCheck, between_outcome, column_values
from agent.checks.results import Outcome


class ExpectMedianBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_median_to_be_between"]


class ExpectMedianBetween(GEQueryCheck[ExpectMedianBetweenSpec]):
    spec_model = ExpectMedianBetweenSpec
    default_dimension = "accuracy"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        values = sorted(column_values(connection, ctx, self.column, where))
        n = len(values)
        median = None
        if n:
            middle = n // 2
            median = values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2
        spec = self.spec
        return between_outcome(median, spec.min_value, spec.max_value, spec.strict_min,
                               spec.strict_max, element_count=n)
