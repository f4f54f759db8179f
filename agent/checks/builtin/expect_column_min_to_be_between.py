"""expect_column_min_to_be_between: the column's minimum lies within the bounds (timestamps
too: string bounds are read as timestamps)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck, plain, timestamp_text


class ExpectMinBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_min_to_be_between"]


class ExpectMinBetween(GEColumnAggregateCheck[ExpectMinBetweenSpec]):
    spec_model = ExpectMinBetweenSpec

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"min": sa.func.min(ctx.col(self.column))}

    def observed(self, values: Any) -> Any:
        return timestamp_text(plain(values["min"]))
