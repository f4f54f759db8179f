"""expect_select_column_values_to_be_unique_within_record: within a row, the non-null values
of ``column_list`` are all different."""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMultiColumnCheck, GEMultiColumnSpec


class ExpectUniqueWithinRecordSpec(GEMultiColumnSpec):
    type: Literal["expect_select_column_values_to_be_unique_within_record"]


class ExpectUniqueWithinRecord(GEMultiColumnCheck[ExpectUniqueWithinRecordSpec]):
    spec_model = ExpectUniqueWithinRecordSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        pairs = combinations(self.spec.column_list, 2)
        return sa.or_(*(ctx.col(a) == ctx.col(b) for a, b in pairs))
