"""regex: at least ``mostly`` of the non-null values match ``pattern`` (searched, not anchored)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import MostlySpec, QueryContext
from agent.checks.expressions import as_text, regex_matches
from agent.checks.predicate import PredicateCheck
from agent.checks.results import Outcome


class RegexSpec(MostlySpec):
    type: Literal["regex"]
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return pattern


class RegexCheck(PredicateCheck[RegexSpec]):
    spec_model = RegexSpec
    default_dimension = "validity"

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        """Non-null values that do not match (NULL makes the negation NULL, not true)."""
        column = ctx.col(self.spec.column)
        return sa.not_(regex_matches(as_text(column), sa.literal(self.spec.pattern)))

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return self.mostly_outcome(values, expected_value=self.spec.pattern)
