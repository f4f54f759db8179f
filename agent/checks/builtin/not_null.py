"""not_null: at least ``mostly`` of the column's values are not NULL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, MostlySpec, QueryContext
from agent.checks.expressions import count_non_null, count_rows
from agent.checks.map_outcome import as_int, expected_share
from agent.checks.results import Outcome


class NotNullSpec(MostlySpec):
    type: Literal["not_null"]


class NotNullCheck(AggregateCheck[NotNullSpec]):
    spec_model = NotNullSpec
    default_dimension = "completeness"
    samplable = True  # counts of rows: a sample estimates them
    extrapolated = frozenset({"rows", "non_null"})

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows(), "non_null": count_non_null(ctx.col(self.spec.column))}

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return ctx.col(self.spec.column).is_(None)

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows, non_null = as_int(values["rows"]), as_int(values["non_null"])
        nulls = rows - non_null
        null_ratio = nulls / rows if rows else 0.0
        success = expected_share(non_null, rows) >= self.spec.mostly
        message = None
        if not success:
            message = (
                f"{nulls} of {rows} values ({null_ratio:.2%}) are NULL; "
                f"at most {1 - self.spec.mostly:.2%} allowed"
            )
        return Outcome(
            success=success, observed_value=null_ratio, expected_min=0.0,
            expected_max=1.0 - self.spec.mostly, element_count=rows, missing_count=nulls,
            unexpected_count=nulls, unexpected_ratio=null_ratio, message=message,
        )
