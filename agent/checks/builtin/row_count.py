"""row_count: the dataset has between ``min`` and ``max`` rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, CheckSpec, QueryContext
from agent.checks.expressions import count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome


class RowCountSpec(CheckSpec):
    type: Literal["row_count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds_ordered(self) -> RowCountSpec:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class RowCountCheck(AggregateCheck[RowCountSpec]):
    spec_model = RowCountSpec
    default_dimension = "completeness"
    samplable = True  # on a sample, the row count is an estimate
    extrapolated = frozenset({"rows"})

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows()}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["rows"])
        low, high = self.spec.min, self.spec.max
        success = (low is None or rows >= low) and (high is None or rows <= high)
        message = None if success else f"{rows} rows, expected between {low} and {high}"
        return Outcome(
            success=success, observed_value=rows, expected_min=low, expected_max=high,
            element_count=rows, message=message,
        )
