"""expect_column_values_to_match_like_pattern: non-null values match the SQL LIKE ``like_pattern``."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text


class ExpectMatchLikeSpec(GEMapSpec):
    type: Literal["expect_column_values_to_match_like_pattern"]
    like_pattern: str = Field(min_length=1)


class ExpectMatchLike(GEMapCheck[ExpectMatchLikeSpec]):
    spec_model = ExpectMatchLikeSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        return sa.not_(text.like(self.spec.like_pattern))
