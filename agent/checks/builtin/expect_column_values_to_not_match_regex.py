"""expect_column_values_to_not_match_regex: no non-null value matches ``regex`` (searched)."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.expressions import as_text, regex_matches


class ExpectNotMatchRegexSpec(GEMapSpec):
    type: Literal["expect_column_values_to_not_match_regex"]
    regex: str = Field(description="An empty pattern matches every value.")


class ExpectNotMatchRegex(GEMapCheck[ExpectNotMatchRegexSpec]):
    spec_model = ExpectNotMatchRegexSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        text = as_text(ctx.col(self.column))
        return regex_matches(text, sa.literal(self.spec.regex))
