"""expect_column_sum_to_be_between: the sum of the non-null values lies within the bounds."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck


class ExpectSumBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_sum_to_be_between"]


class ExpectSumBetween(GEColumnAggregateCheck[ExpectSumBetweenSpec]):
    spec_model = ExpectSumBetweenSpec
    samplable = True  # the sum is scaled up like a count
    extrapolated = frozenset({"rows", "sum"})

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"sum": sa.func.sum(ctx.col(self.column))}
