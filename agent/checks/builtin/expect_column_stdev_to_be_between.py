"""expect_column_stdev_to_be_between: the sample standard deviation lies within the bounds.

STDDEV_SAMP where the dialect has it; on SQLite, which has none, the sum of squared deviations
from the mean (a scalar subquery), which keeps full precision. Either way it fuses.
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
    samplable = True  # a sample's standard deviation estimates the table's
    extrapolated = frozenset({"rows"})

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.column)
        if ctx.dialect_name != "sqlite":
            return {"stdev": sa.func.stddev_samp(column)}
        inner = sa.table(ctx.table.name, sa.column(self.column), schema=ctx.table.schema)
        mean = sa.select(sa.func.avg(inner.c[self.column])).scalar_subquery()
        deviation = sa.cast(column, sa.Float) - mean
        return {"n": sa.func.count(column), "squares": sa.func.sum(deviation * deviation)}

    def observed(self, values: Any) -> Any:
        if "stdev" in values:
            return None if values["stdev"] is None else float(values["stdev"])
        n = int(values["n"] or 0)
        if n < 2:
            return None
        return math.sqrt(float(values["squares"]) / (n - 1))
