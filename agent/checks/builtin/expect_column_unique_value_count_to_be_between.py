"""expect_column_unique_value_count_to_be_between: the number of distinct non-null values."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck


class ExpectDistinctCountBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_unique_value_count_to_be_between"]


class ExpectDistinctCountBetween(GEColumnAggregateCheck[ExpectDistinctCountBetweenSpec]):
    spec_model = ExpectDistinctCountBetweenSpec
    default_dimension = "uniqueness"

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"distinct": sa.func.count(sa.distinct(ctx.col(self.column)))}
