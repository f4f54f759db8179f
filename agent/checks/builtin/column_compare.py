"""column_compare: a rule between columns of the same row, fused into the dataset's scan.

``a <op> b`` with op one of < <= = != >= >, or, with ``product``, ``a * b = c`` within
``tolerance`` (absolute). Rows where any involved column is NULL are not judged (as in Great
Expectations' column-pair expectations with ignore_row_if any_value_is_missing).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, CheckSpec, QueryContext
from agent.checks.expressions import count_rows, count_where
from agent.checks.map_outcome import as_int, map_outcome
from agent.checks.results import Outcome

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, "=": operator.eq, "!=": operator.ne,
    ">=": operator.ge, ">": operator.gt,
}


class ColumnCompareSpec(CheckSpec):
    type: Literal["column_compare"]
    column_a: str = Field(min_length=1)
    column_b: str = Field(min_length=1)
    op: Literal["<", "<=", "=", "!=", ">=", ">"] = "<="
    product: str | None = Field(
        default=None, description="Column c of the rule a * b = c (then `op` is not used)."
    )
    tolerance: float = Field(default=0.0, ge=0.0, description="Absolute tolerance of a * b = c.")
    mostly: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _tolerance_for_product(self) -> ColumnCompareSpec:
        if self.tolerance and self.product is None:
            raise ValueError("tolerance applies to `product` (a * b = c) only; set product")
        return self


class ColumnCompareCheck(AggregateCheck[ColumnCompareSpec]):
    spec_model = ColumnCompareSpec
    default_dimension = "consistency"
    samplable = True  # counts of rows: a sample estimates them
    extrapolated = frozenset({"rows", "judged", "violations"})

    @property
    def column(self) -> str:
        return self.spec.column_a

    @property
    def name(self) -> str:
        if self.spec.name:
            return self.spec.name
        tail = f"x_{self.spec.column_b}_eq_{self.spec.product}" if self.spec.product else (
            f"{_OP_NAMES[self.spec.op]}_{self.spec.column_b}")
        return f"column_compare_{self.spec.column_a}_{tail}"

    def columns(self) -> set[str]:
        names = {self.spec.column_a, self.spec.column_b}
        return names | ({self.spec.product} if self.spec.product else set())

    def _judged_and_violated(
        self, ctx: QueryContext
    ) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        a, b = ctx.col(self.spec.column_a), ctx.col(self.spec.column_b)
        present = [a.is_not(None), b.is_not(None)]
        if self.spec.product is not None:
            c = ctx.col(self.spec.product)
            present.append(c.is_not(None))
            violated: ColumnElement[bool] = sa.func.abs(a * b - c) > self.spec.tolerance
        else:
            violated = sa.not_(OPERATORS[self.spec.op](a, b))
        return sa.and_(*present), violated

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        judged, violated = self._judged_and_violated(ctx)
        return {"rows": count_rows(), "judged": count_where(judged),
                "violations": count_where(sa.and_(judged, violated))}

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        judged, violated = self._judged_and_violated(ctx)
        return sa.and_(judged, violated)

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return map_outcome(
            element_count=as_int(values["rows"]), non_null_count=as_int(values["judged"]),
            unexpected_count=as_int(values["violations"]), mostly=self.spec.mostly,
        )


_OP_NAMES = {"<": "lt", "<=": "le", "=": "eq", "!=": "ne", ">=": "ge", ">": "gt"}
