"""expect_column_values_to_not_match_like_pattern_list: no non-null value matches any of the LIKE patterns."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text


class ExpectNotMatchLikeListSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_match_like_pattern_list"]
    like_pattern_list: list[str] = Field(min_length=1)


class ExpectNotMatchLikeList(GEMapCheck[ExpectNotMatchLikeListSpec]):
    spec_model = ExpectNotMatchLikeListSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        return sa.or_(*(text.like(pattern) for pattern in self.spec.like_pattern_list))
