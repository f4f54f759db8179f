"""accepted_values: at least ``mostly`` of the non-null values are in ``values``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import MostlySpec, QueryContext
from agent.checks.predicate import PredicateCheck
from agent.checks.results import Outcome


class AcceptedValuesSpec(MostlySpec):
    type: Literal["accepted_values"]
    values: list[str | int | float | bool] = Field(min_length=1)


class AcceptedValuesCheck(PredicateCheck[AcceptedValuesSpec]):
    spec_model = AcceptedValuesSpec
    default_dimension = "validity"

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return ctx.col(self.spec.column).not_in(self.spec.values)

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return self.mostly_outcome(values, expected_value=list(self.spec.values))
