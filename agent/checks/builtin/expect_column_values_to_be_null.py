"""expect_column_values_to_be_null: at least ``mostly`` of all rows are NULL."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec


class ExpectNullSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_null"]


class ExpectNull(GEMapCheck[ExpectNullSpec]):
    spec_model = ExpectNullSpec
    default_dimension = "completeness"

    def domain(self, ctx: QueryContext) -> ColumnElement[bool]:
        return sa.true()

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        return ctx.col(self.column).is_not(None)
