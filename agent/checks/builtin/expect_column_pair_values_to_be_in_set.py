"""expect_column_pair_values_to_be_in_set: each (column_A, column_B) is one of value_pairs_set."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEPairCheck, GEPairSpec


class ExpectPairInSetSpec(GEPairSpec):
    type: Literal["expect_column_pair_values_to_be_in_set"]
    value_pairs_set: list[tuple[Any, Any]] = Field(min_length=1)


class ExpectPairInSet(GEPairCheck[ExpectPairInSetSpec]):
    spec_model = ExpectPairInSetSpec

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        a, b = self.pair(ctx)
        matches = [
            sa.and_(a.is_(None) if x is None else a == x, b.is_(None) if y is None else b == y)
            for x, y in self.spec.value_pairs_set
        ]
        return sa.not_(sa.or_(*matches))
