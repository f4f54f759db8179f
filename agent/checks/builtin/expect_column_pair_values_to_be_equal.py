"""expect_column_pair_values_to_be_equal: in each row column_A equals column_B."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEPairCheck, GEPairSpec


class ExpectPairEqualSpec(GEPairSpec):
    type: Literal["expect_column_pair_values_to_be_equal"]


class ExpectPairEqual(GEPairCheck[ExpectPairEqualSpec]):
    spec_model = ExpectPairEqualSpec
    default_dimension = "consistency"

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        a, b = self.pair(ctx)
        return sa.or_(a.is_(None), b.is_(None), a != b)
