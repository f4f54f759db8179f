"""expect_column_median_to_be_between: the median of the non-null values lies within the bounds
(its own query: the values are needed, SQLite has no median)."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import (
    GEBetweenSpec,
    GEQueryCheck,
    between_outcome,
    filtered,
    plain,
)
from agent.checks.results import Outcome


class ExpectMedianBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_median_to_be_between"]


class ExpectMedianBetween(GEQueryCheck[ExpectMedianBetweenSpec]):
    spec_model = ExpectMedianBetweenSpec
    default_dimension = "accuracy"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        col = ctx.col(self.column)
        rows = [plain(row[0]) for row in connection.execute(
            filtered(sa.select(col).select_from(ctx.table), where))]
        values = sorted(value for value in rows if value is not None)
        n = len(values)
        median = None
        if n:
            middle = n // 2
            median = values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2
        spec = self.spec
        missing = len(rows) - n
        return between_outcome(
            median, spec.min_value, spec.max_value, spec.strict_min, spec.strict_max,
            element_count=len(rows), missing_count=missing,
            details={"missing_percent": missing / len(rows) * 100.0 if rows else None},
        )
