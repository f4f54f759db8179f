"""expect_table_row_count_to_be_between: the dataset has between min_value and max_value rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, QueryContext
from agent.checks.builtin.ge_base import GESpec, between_outcome, check_bounds
from agent.checks.expressions import count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome


class ExpectRowCountBetweenSpec(GESpec):
    type: Literal["expect_table_row_count_to_be_between"]
    min_value: int | None = Field(default=None, ge=0)
    max_value: int | None = Field(default=None, ge=0)
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> ExpectRowCountBetweenSpec:
        check_bounds(self.min_value, self.max_value, need_one=False)
        return self


class ExpectRowCountBetween(AggregateCheck[ExpectRowCountBetweenSpec]):
    spec_model = ExpectRowCountBetweenSpec
    default_dimension = "completeness"
    samplable = True  # on a sample, the row count is an estimate
    extrapolated = frozenset({"rows"})

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows()}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["rows"])
        spec = self.spec
        return between_outcome(
            rows, spec.min_value, spec.max_value, spec.strict_min, spec.strict_max,
            element_count=rows,
        )
