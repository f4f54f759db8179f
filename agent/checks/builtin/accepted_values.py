"""accepted_values: at least ``mostly`` of the non-null values are in ``values``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, MostlySpec, QueryContext
from agent.checks.expressions import count_non_null, count_rows, count_where
from agent.checks.map_outcome import as_int, map_outcome
from agent.checks.results import Outcome


class AcceptedValuesSpec(MostlySpec):
    type: Literal["accepted_values"]
    values: list[str | int | float | bool] = Field(min_length=1)


class AcceptedValuesCheck(AggregateCheck[AcceptedValuesSpec]):
    spec_model = AcceptedValuesSpec
    default_dimension = "validity"
    samplable = True  # counts of rows: a sample estimates them
    extrapolated = frozenset({"rows", "non_null", "unexpected"})

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.spec.column)
        return {
            "rows": count_rows(),
            "non_null": count_non_null(column),
            "unexpected": count_where(column.not_in(self.spec.values)),
        }

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return ctx.col(self.spec.column).not_in(self.spec.values)

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return map_outcome(
            element_count=as_int(values["rows"]), non_null_count=as_int(values["non_null"]),
            unexpected_count=as_int(values["unexpected"]), mostly=self.spec.mostly,
            expected_value=list(self.spec.values),
        )
