"""expect_multicolumn_sum_to_equal: in each row the values of ``column_list`` add up to
``sum_total``."""

from __future__ import annotations

from functools import reduce
from typing import Literal

from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMultiColumnCheck, GEMultiColumnSpec


class ExpectMulticolumnSumSpec(GEMultiColumnSpec):
    type: Literal["expect_multicolumn_sum_to_equal"]
    sum_total: float


class ExpectMulticolumnSum(GEMultiColumnCheck[ExpectMulticolumnSumSpec]):
    spec_model = ExpectMulticolumnSumSpec
    default_dimension = "consistency"

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        total = reduce(lambda a, b: a + b, (ctx.col(n) for n in self.spec.column_list))
        return total != self.spec.sum_total
