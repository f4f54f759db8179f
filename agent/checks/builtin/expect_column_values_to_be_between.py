"""expect_column_values_to_be_between: non-null values within [min_value, max_value]."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEBetweenSpec, GEMapCheck, check_bounds, mostly_field, outside_bounds


class ExpectValuesBetweenSpec(GEBetweenSpec):
    type: Literal["expect_column_values_to_be_between"]
    mostly: float = mostly_field()

    @model_validator(mode="after")
    def _one_bound(self) -> ExpectValuesBetweenSpec:
        check_bounds(self.min_value, self.max_value)
        return self


class ExpectValuesBetween(GEMapCheck[ExpectValuesBetweenSpec]):
    spec_model = ExpectValuesBetweenSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        spec = self.spec
        return outside_bounds(
            ctx.col(self.column), spec.min_value, spec.max_value, spec.strict_min, spec.strict_max,
            spec.parse_strings_as_datetimes,
        )
