"""expect_table_row_count_to_equal_other_table: the dataset has as many rows as
``other_table_name`` (same schema unless the name is qualified)."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, filtered, with_observed
from agent.checks.results import Outcome


class ExpectRowCountOtherSpec(GESpec):
    type: Literal["expect_table_row_count_to_equal_other_table"]
    other_table_name: str = Field(min_length=1)


class ExpectRowCountOther(GEQueryCheck[ExpectRowCountOtherSpec]):
    spec_model = ExpectRowCountOtherSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        schema, dot, name = self.spec.other_table_name.rpartition(".")
        other = sa.table(name, schema=schema if dot else ctx.table.schema)
        mine = connection.execute(
            filtered(sa.select(sa.func.count()).select_from(ctx.table), where)).scalar_one()
        theirs = connection.execute(sa.select(sa.func.count()).select_from(other)).scalar_one()
        success = int(mine) == int(theirs)
        message = None if success else f"{mine} rows here, {theirs} in {self.spec.other_table_name}"
        return Outcome(**with_observed(
            {"success": success, "message": message}, {"self": int(mine), "other": int(theirs)}))
