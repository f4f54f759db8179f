"""expect_column_max_to_be_between: the column's maximum lies within the bounds (timestamps
too: string bounds are read as timestamps, and an old maximum reports staleness)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEColumnAggregateCheck, plain, timestamp_text


class ExpectMaxBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_max_to_be_between"]


class ExpectMaxBetween(GEColumnAggregateCheck[ExpectMaxBetweenSpec]):
    spec_model = ExpectMaxBetweenSpec

    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"max": sa.func.max(ctx.col(self.column))}

    def observed(self, values: Any) -> Any:
        return timestamp_text(plain(values["max"]))
