"""expect_table_row_count_to_equal_other_table: the dataset has as many rows as
``other_table_name`` (same schema unless the name is qualified).

``other_warehouse`` (not in Great Expectations) names a configured warehouse the other table
lives in; an unqualified name is then looked up in that warehouse's default schema. This side's
count fuses into the dataset's scan; the other side costs one query, on its warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, QueryContext, SideQuery
from agent.checks.builtin.ge_base import GESpec, with_observed
from agent.checks.expressions import count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome
from agent.config.identifiers import TableName, split_table_name


class ExpectRowCountOtherSpec(GESpec):
    type: Literal["expect_table_row_count_to_equal_other_table"]
    other_table_name: TableName = Field(min_length=1)
    other_warehouse: str | None = Field(
        default=None, description="A configured warehouse holding the other table; default: "
        "the dataset's.",
    )

    def warehouse_references(self) -> dict[tuple[str, ...], str]:
        return {} if self.other_warehouse is None else {("other_warehouse",): self.other_warehouse}


class ExpectRowCountOther(AggregateCheck[ExpectRowCountOtherSpec]):
    spec_model = ExpectRowCountOtherSpec
    default_dimension = "consistency"

    def other_table(self, ctx: QueryContext) -> sa.TableClause:
        schema, name = split_table_name(self.spec.other_table_name)
        if schema is not None:
            return sa.table(name, schema=schema)
        return sa.table(name, schema=ctx.table.schema if self.spec.other_warehouse is None else None)

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"self": count_rows()}

    def side_queries(self, ctx: QueryContext) -> dict[str, SideQuery]:
        statement = sa.select(sa.func.count()).select_from(self.other_table(ctx))
        return {"other": SideQuery(statement=statement, warehouse=self.spec.other_warehouse)}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        mine, theirs = as_int(values["self"]), as_int(values["other"])
        success = mine == theirs
        where = self.spec.other_table_name
        if self.spec.other_warehouse is not None:
            where += f" (warehouse {self.spec.other_warehouse})"
        message = None if success else f"{mine} rows here, {theirs} in {where}"
        return Outcome(**with_observed(
            {"success": success, "message": message}, {"self": mine, "other": theirs}))
