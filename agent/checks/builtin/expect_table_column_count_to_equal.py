"""expect_table_column_count_to_equal: the table has exactly ``value`` columns."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, table_columns
from agent.checks.results import Outcome


class ExpectColumnCountEqualSpec(GESpec):
    type: Literal["expect_table_column_count_to_equal"]
    value: int = Field(ge=0)


class ExpectColumnCountEqual(GEQueryCheck[ExpectColumnCountEqualSpec]):
    spec_model = ExpectColumnCountEqualSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        count = len(table_columns(connection, ctx))
        success = count == self.spec.value
        return Outcome(
            success=success, observed_value=count, expected_value=self.spec.value,
            message=None if success else f"{count} columns, expected {self.spec.value}",
        )
