"""expect_column_stdev_to_be_between: the sample standard deviation lies within the bounds.

Computed from count, sum and sum of squares, so it works on every dialect (SQLite has no
STDDEV) and fuses with the other aggregates.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck


class ExpectStdevBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_stdev_to_be_between"]


class ExpectStdevBetween(GEColumnAggregateCheck[ExpectStdevBetweenSpec]):
    spec_model = ExpectStdevBetweenSpec

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        value = sa.cast(ctx.col(self.column), sa.Float)
        return {
            "n": sa.func.count(value),
            "sum": sa.func.sum(value),
            "sum_sq": sa.func.sum(value * value),
        }

    def observed(self, values: Any) -> Any:
        n = int(values["n"] or 0)
        if n < 2:
            return None
        total, squares = float(values["sum"]), float(values["sum_sq"])
        variance = max(0.0, (squares - total * total / n) / (n - 1))
        return math.sqrt(variance)
