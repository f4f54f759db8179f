"""expect_column_proportion_of_unique_values_to_be_between: distinct / non-null values."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck
from agent.checks.grouped import distinct_count


class ExpectUniqueProportionSpec(GEBetweenSpec):
    type: Literal["expect_column_proportion_of_unique_values_to_be_between"]


class ExpectUniqueProportion(GEColumnAggregateCheck[ExpectUniqueProportionSpec]):
    spec_model = ExpectUniqueProportionSpec
    default_dimension = "uniqueness"

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.column)
        return {"distinct": distinct_count(ctx, self.column), "non_null": sa.func.count(column)}

    def observed(self, values: Any) -> Any:
        non_null = int(values["non_null"] or 0)
        return int(values["distinct"] or 0) / non_null if non_null else None
