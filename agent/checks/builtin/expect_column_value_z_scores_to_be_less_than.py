"""expect_column_value_z_scores_to_be_less_than: each non-null value's z-score (sample standard
deviation) is below ``threshold`` (its absolute value with ``double_sided``).

Mean and deviation are scalar subqueries inside the aggregate, so it still fuses; squares are
compared so no square root is needed (SQLite has none).
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck, GEMapSpec


class ExpectZScoresSpec(GEMapSpec):
    type: Literal["expect_column_value_z_scores_to_be_less_than"]
    threshold: float = Field(ge=0)
    double_sided: bool = False


class ExpectZScores(GEMapCheck[ExpectZScoresSpec]):
    spec_model = ExpectZScoresSpec
    default_dimension = "accuracy"
    samplable = False  # its mean and variance scan every row anyway

    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        inner = sa.table(ctx.table.name, sa.column(self.column), schema=ctx.table.schema)
        x_inner = sa.cast(inner.c[self.column], sa.Float)
        mean = sa.select(sa.func.avg(x_inner)).scalar_subquery()
        deviations = sa.alias(inner, "dev")
        x_dev = sa.cast(deviations.c[self.column], sa.Float)
        variance = sa.select(
            sa.func.sum((x_dev - mean) * (x_dev - mean)) / (sa.func.count(x_dev) - 1)
        ).scalar_subquery()
        distance = sa.cast(ctx.col(self.column), sa.Float) - mean
        limit = self.spec.threshold * self.spec.threshold
        beyond = distance * distance >= variance * limit
        return beyond if self.spec.double_sided else sa.and_(distance > 0, beyond)
