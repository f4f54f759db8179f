"""expect_column_pair_values_a_to_be_greater_than_b: column_A > column_B (>= with or_equal)."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEPairCheck, GEPairSpec


class ExpectPairGreaterSpec(GEPairSpec):
    type: Literal["expect_column_pair_values_a_to_be_greater_than_b"]
    or_equal: bool = False


class ExpectPairGreater(GEPairCheck[ExpectPairGreaterSpec]):
    spec_model = ExpectPairGreaterSpec
    default_dimension = "consistency"

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        a, b = self.pair(ctx)
        holds = a >= b if self.spec.or_equal else a > b
        return sa.or_(a.is_(None), b.is_(None), sa.not_(holds))
