"""expect_column_values_to_not_be_null: at least ``mostly`` of all rows have a value."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec


class ExpectNotNullSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_be_null"]


class ExpectNotNull(GEMapCheck[ExpectNotNullSpec]):
    spec_model = ExpectNotNullSpec
    default_dimension = "completeness"

    def domain(self, ctx: QueryContext) -> ColumnElement[bool]:
        return sa.true()

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        return ctx.col(self.column).is_(None)

    def unexpected_columns(self, ctx: QueryContext) -> list[ColumnElement[Any]]:
        return [ctx.col(self.column)]
