"""expect_column_values_to_not_be_in_set: no non-null value is a member of ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec, set_literals


class ExpectNotInSetSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_be_in_set"]
    value_set: list[Any] = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectNotInSet(GEMapCheck[ExpectNotInSetSpec]):
    spec_model = ExpectNotInSetSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        values = set_literals(self.spec.value_set, self.spec.parse_strings_as_datetimes)
        return ctx.col(self.column).in_(values)
