"""expect_column_value_lengths_to_equal: every non-null value is ``value`` characters long."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec


class ExpectLengthsEqualSpec(GEMapSpec):
    type: Literal["expect_column_value_lengths_to_equal"]
    value: int = Field(ge=0)


class ExpectLengthsEqual(GEMapCheck[ExpectLengthsEqualSpec]):
    spec_model = ExpectLengthsEqualSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        return sa.func.length(ctx.col(self.column)) != self.spec.value
