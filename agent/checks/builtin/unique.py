"""unique: at least ``mostly`` of the non-null values are distinct (duplicate ratio bounded)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, MostlySpec, QueryContext
from agent.checks.expressions import count_non_null, count_rows
from agent.checks.grouped import distinct_count
from agent.checks.map_outcome import as_int, map_outcome
from agent.checks.repeated_keys import candidate_key_filter, repeated_key_filter
from agent.checks.results import Outcome


class UniqueSpec(MostlySpec):
    type: Literal["unique"]


class UniqueCheck(AggregateCheck[UniqueSpec]):
    spec_model = UniqueSpec
    default_dimension = "uniqueness"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.spec.column)
        return {
            "rows": count_rows(),
            "non_null": count_non_null(column),
            "distinct": distinct_count(ctx, self.spec.column),
        }

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        """Every row whose non-null value appears more than once."""
        return repeated_key_filter(ctx, [self.spec.column], where, nulls_equal=False)

    def failing_rows_first(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return candidate_key_filter(ctx, [self.spec.column], where)

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        non_null = as_int(values["non_null"])
        duplicates = non_null - as_int(values["distinct"])
        return map_outcome(
            element_count=as_int(values["rows"]), non_null_count=non_null,
            unexpected_count=duplicates, mostly=self.spec.mostly,
            expected_min=0.0, expected_max=1.0 - self.spec.mostly,
        )
