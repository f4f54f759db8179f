"""range: at least ``mostly`` of the non-null values lie within [min, max] (or strictly inside)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import MostlySpec, QueryContext
from agent.checks.expressions import inline_number
from agent.checks.predicate import PredicateCheck
from agent.checks.results import Outcome


class RangeSpec(MostlySpec):
    type: Literal["range"]
    min: float | None = None
    max: float | None = None
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _has_bound(self) -> RangeSpec:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class RangeCheck(PredicateCheck[RangeSpec]):
    spec_model = RangeSpec
    default_dimension = "validity"

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        """Values outside the bounds (or on a strict one)."""
        column = ctx.col(self.spec.column)
        outside: list[ColumnElement[bool]] = []
        if self.spec.min is not None:
            low = inline_number(self.spec.min)
            outside.append(column <= low if self.spec.strict_min else column < low)
        if self.spec.max is not None:
            high = inline_number(self.spec.max)
            outside.append(column >= high if self.spec.strict_max else column > high)
        return sa.or_(*outside)

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.spec.column)
        return {**super().metrics(ctx), "min": sa.func.min(column), "max": sa.func.max(column)}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return self.mostly_outcome(
            values, expected_min=self.spec.min, expected_max=self.spec.max,
            details={"observed_min": values["min"], "observed_max": values["max"]},
        )
