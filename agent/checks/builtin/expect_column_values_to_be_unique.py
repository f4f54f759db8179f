"""expect_column_values_to_be_unique: no non-null value occurs twice.

Every row holding a repeated value is unexpected (both 1s of [1, 1, 2]), as in Great
Expectations. Their count comes from one GROUP BY in a scalar subquery, so the expectation still
fuses into the dataset's one SELECT (:mod:`agent.checks.grouped` says why not ``IN``); the
unexpected values are fetched with the row predicate :meth:`unexpected`.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec
from agent.checks.grouped import repeated_key_rows
from agent.checks.repeated_keys import candidate_key_filter


class ExpectUniqueSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_unique"]


class ExpectUnique(GEMapCheck[ExpectUniqueSpec]):
    spec_model = ExpectUniqueSpec
    default_dimension = "uniqueness"
    samplable = False  # duplicates need every row

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {**super().metrics(ctx), "unexpected": repeated_key_rows(ctx, [self.column])}

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        column = ctx.col(self.column)
        inner = sa.table(ctx.table.name, sa.column(self.column), schema=ctx.table.schema)
        inner_col = inner.c[self.column]
        repeated = (
            sa.select(inner_col).select_from(inner).where(inner_col.is_not(None))
            .group_by(inner_col).having(sa.func.count() > 1)
        )
        if ctx.where:
            repeated = repeated.where(sa.text(ctx.where))
        return column.in_(repeated)

    def unexpected_first(self, ctx: QueryContext) -> ColumnElement[bool]:
        return candidate_key_filter(ctx, [self.column], ctx.where)
