"""expect_column_value_lengths_to_be_between: the text length of non-null values is in range."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec, check_bounds, outside_bounds


class ExpectLengthsBetweenSpec(GEMapSpec):
    type: Literal["expect_column_value_lengths_to_be_between"]
    min_value: int | None = Field(default=None, ge=0)
    max_value: int | None = Field(default=None, ge=0)
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> ExpectLengthsBetweenSpec:
        check_bounds(self.min_value, self.max_value)
        return self


class ExpectLengthsBetween(GEMapCheck[ExpectLengthsBetweenSpec]):
    spec_model = ExpectLengthsBetweenSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        length = sa.func.length(ctx.col(self.column))
        spec = self.spec
        return outside_bounds(length, spec.min_value, spec.max_value, spec.strict_min, spec.strict_max)
