"""expect_column_values_to_be_in_set: non-null values are members of ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec, set_literals


class ExpectInSetSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_in_set"]
    value_set: list[Any] = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectInSet(GEMapCheck[ExpectInSetSpec]):
    spec_model = ExpectInSetSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        values = set_literals(self.spec.value_set, self.spec.parse_strings_as_datetimes)
        return ctx.col(self.column).not_in(values)
