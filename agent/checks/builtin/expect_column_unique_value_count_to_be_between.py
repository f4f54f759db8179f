"""expect_column_unique_value_count_to_be_between: the number of distinct non-null values."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck
from agent.checks.grouped import distinct_count


class ExpectDistinctCountBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_unique_value_count_to_be_between"]


class ExpectDistinctCountBetween(GEColumnAggregateCheck[ExpectDistinctCountBetweenSpec]):
    spec_model = ExpectDistinctCountBetweenSpec
    default_dimension = "uniqueness"

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"distinct": distinct_count(ctx, self.column)}
