"""expect_column_mean_to_be_between: the mean of the non-null values lies within the bounds."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck


class ExpectMeanBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_mean_to_be_between"]


class ExpectMeanBetween(GEColumnAggregateCheck[ExpectMeanBetweenSpec]):
    spec_model = ExpectMeanBetweenSpec
    samplable = True  # a sample's mean estimates the table's
    extrapolated = frozenset({"rows"})

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"mean": sa.func.avg(ctx.col(self.column))}

    def observed(self, values: Any) -> Any:
        mean = values["mean"]
        return None if mean is None else float(mean)
