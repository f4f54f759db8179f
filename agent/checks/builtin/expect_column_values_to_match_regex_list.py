"""expect_column_values_to_match_regex_list: non-null values match any (or all) of ``regex_list``."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text, regex_matches


class ExpectMatchRegexListSpec(GEMapSpec):
    type: Literal["expect_column_values_to_match_regex_list"]
    regex_list: list[str] = Field(min_length=1)
    match_on: Literal["any", "all"] = "any"


class ExpectMatchRegexList(GEMapCheck[ExpectMatchRegexListSpec]):
    spec_model = ExpectMatchRegexListSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        matches = [regex_matches(text, sa.literal(regex)) for regex in self.spec.regex_list]
        joined = sa.or_(*matches) if self.spec.match_on == "any" else sa.and_(*matches)
        return sa.not_(joined)
