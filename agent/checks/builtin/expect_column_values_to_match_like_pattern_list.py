"""expect_column_values_to_match_like_pattern_list: values match any (or all) LIKE patterns."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text


class ExpectMatchLikeListSpec(GEMapSpec):
    type: Literal["expect_column_values_to_match_like_pattern_list"]
    like_pattern_list: list[str] = Field(min_length=1)
    match_on: Literal["any", "all"] = "any"


class ExpectMatchLikeList(GEMapCheck[ExpectMatchLikeListSpec]):
    spec_model = ExpectMatchLikeListSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        matches = [text.like(pattern) for pattern in self.spec.like_pattern_list]
        joined = sa.or_(*matches) if self.spec.match_on == "any" else sa.and_(*matches)
        return sa.not_(joined)
