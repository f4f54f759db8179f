"""expect_compound_columns_to_be_unique: no combination of ``column_list`` values repeats.

Rows are ignored per ``ignore_row_if`` (all_values_are_missing by default); every row of a
repeated combination is unexpected, as in Great Expectations.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMultiColumnCheck, GEMultiColumnSpec


class ExpectCompoundUniqueSpec(GEMultiColumnSpec):
    type: Literal["expect_compound_columns_to_be_unique"]


class ExpectCompoundUnique(GEMultiColumnCheck[ExpectCompoundUniqueSpec]):
    spec_model = ExpectCompoundUniqueSpec
    default_dimension = "uniqueness"
    samplable = False  # duplicates need every row

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        names = self.spec.column_list
        inner = sa.table(ctx.table.name, *(sa.column(n) for n in names), schema=ctx.table.schema)
        inner_cols = [inner.c[n] for n in names]
        repeated = sa.select(*inner_cols).select_from(inner).group_by(*inner_cols).having(
            sa.func.count() > 1
        )
        return sa.tuple_(*(ctx.col(n) for n in names)).in_(repeated)
