"""expect_compound_columns_to_be_unique: no combination of ``column_list`` values repeats.

Rows are ignored per ``ignore_row_if`` (all_values_are_missing by default); every row of a
repeated combination is unexpected, as in Great Expectations. A combination with a NULL is never
repeated (NULL equals nothing), so every unexpected row is in the domain whatever
``ignore_row_if`` says, and their count is one GROUP BY in a scalar subquery
(:mod:`agent.checks.grouped` says why not ``IN``).
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMultiColumnCheck, GEMultiColumnSpec
from agent.checks.grouped import repeated_key_rows
from agent.checks.repeated_keys import candidate_key_filter


class ExpectCompoundUniqueSpec(GEMultiColumnSpec):
    type: Literal["expect_compound_columns_to_be_unique"]


class ExpectCompoundUnique(GEMultiColumnCheck[ExpectCompoundUniqueSpec]):
    spec_model = ExpectCompoundUniqueSpec
    default_dimension = "uniqueness"
    samplable = False  # duplicates need every row

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {**super().metrics(ctx),
                "unexpected": repeated_key_rows(ctx, list(self.spec.column_list))}

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        names = self.spec.column_list
        inner = sa.table(ctx.table.name, *(sa.column(n) for n in names), schema=ctx.table.schema)
        inner_cols = [inner.c[n] for n in names]
        repeated = sa.select(*inner_cols).select_from(inner).group_by(*inner_cols).having(
            sa.func.count() > 1
        )
        if ctx.where:
            repeated = repeated.where(sa.text(ctx.where))
        return sa.tuple_(*(ctx.col(n) for n in names)).in_(repeated)

    def unexpected_first(self, ctx: QueryContext) -> ColumnElement[bool]:
        return candidate_key_filter(ctx, self.spec.column_list, ctx.where)
