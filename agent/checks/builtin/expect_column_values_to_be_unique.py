"""expect_column_values_to_be_unique: no non-null value occurs twice.

Every row holding a repeated value is unexpected (both 1s of [1, 1, 2]), as in Great
Expectations. The repeated values come from a grouped subquery inside the aggregate, so the
expectation still fuses into the dataset's one SELECT.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec


class ExpectUniqueSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_unique"]


class ExpectUnique(GEMapCheck[ExpectUniqueSpec]):
    spec_model = ExpectUniqueSpec
    default_dimension = "uniqueness"
    samplable = False  # duplicates need every row

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        column = ctx.col(self.column)
        inner = sa.table(ctx.table.name, sa.column(self.column), schema=ctx.table.schema)
        inner_col = inner.c[self.column]
        repeated = (
            sa.select(inner_col).select_from(inner).where(inner_col.is_not(None))
            .group_by(inner_col).having(sa.func.count() > 1)
        )
        return column.in_(repeated)
