"""expect_column_values_to_not_match_like_pattern: no non-null value matches the SQL LIKE ``like_pattern``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text


class ExpectNotMatchLikeSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_match_like_pattern"]
    like_pattern: str = Field(min_length=1)


class ExpectNotMatchLike(GEMapCheck[ExpectNotMatchLikeSpec]):
    spec_model = ExpectNotMatchLikeSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        return text.like(self.spec.like_pattern)
