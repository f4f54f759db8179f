"""referential_integrity: every non-null value of ``column`` exists in ``parent_table.parent_column``.

Orphans are counted with ``NOT EXISTS`` (not ``NOT IN``, which a single NULL in the parent column
turns into "no row qualifies"); NULL child values are not orphans, as with a foreign key. The
parent table is read in the same warehouse; ``parent_schema`` defaults to the dataset's schema.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import MostlySpec, QueryCheck, QueryContext
from agent.checks.map_outcome import as_int, map_outcome
from agent.checks.results import Outcome


class ReferentialIntegritySpec(MostlySpec):
    type: Literal["referential_integrity"]
    parent_table: str = Field(min_length=1)
    parent_column: str = Field(min_length=1)
    parent_schema: str | None = Field(
        default=None, description="Schema of the parent table; default: the dataset's."
    )


class ReferentialIntegrityCheck(QueryCheck[ReferentialIntegritySpec]):
    spec_model = ReferentialIntegritySpec
    default_dimension = "consistency"

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        """A non-null child value with no parent row."""
        spec = self.spec
        parent = sa.table(spec.parent_table, sa.column(spec.parent_column),
                          schema=spec.parent_schema or ctx.table.schema).alias("dq_parent")
        child = ctx.col(spec.column)
        orphan = ~sa.exists(
            sa.select(sa.literal(1)).select_from(parent)
            .where(parent.c[spec.parent_column] == child)
        )
        return sa.and_(child.is_not(None), orphan)

    def statement(self, ctx: QueryContext, where: str | None) -> sa.Select[Any]:
        child = ctx.col(self.spec.column)
        statement = sa.select(
            sa.func.count().label("rows"),
            sa.func.count(child).label("non_null"),
            sa.func.coalesce(sa.func.sum(
                sa.case((self.failing_rows(ctx, where), 1), else_=0)), 0).label("orphans"),
        ).select_from(ctx.table)
        return statement.where(sa.text(where)) if where else statement

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        row = connection.execute(self.statement(ctx, where)).mappings().one()
        rows, non_null, orphans = as_int(row["rows"]), as_int(row["non_null"]), as_int(row["orphans"])
        outcome = map_outcome(element_count=rows, non_null_count=non_null,
                              unexpected_count=orphans, mostly=self.spec.mostly)
        if outcome.success:
            return outcome
        parent = f"{self.spec.parent_table}.{self.spec.parent_column}"
        return dataclasses.replace(outcome, message=(
            f"{orphans} of {non_null} non-null values of {self.spec.column} have no match in "
            f"{parent}"))
