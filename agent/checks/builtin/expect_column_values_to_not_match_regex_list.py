"""expect_column_values_to_not_match_regex_list: no non-null value matches any of ``regex_list``."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text, regex_matches


class ExpectNotMatchRegexListSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_match_regex_list"]
    regex_list: list[str] = Field(min_length=1)


class ExpectNotMatchRegexList(GEMapCheck[ExpectNotMatchRegexListSpec]):
    spec_model = ExpectNotMatchRegexListSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        return sa.or_(*(regex_matches(text, sa.literal(regex)) for regex in self.spec.regex_list))
