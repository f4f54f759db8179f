"""expect_table_column_count_to_be_between: the table has between min_value and max_value
columns."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, between_outcome, check_bounds, table_columns
from agent.checks.results import Outcome


class ExpectColumnCountBetweenSpec(GESpec):
    type: Literal["expect_table_column_count_to_be_between"]
    min_value: int | None = Field(default=None, ge=0)
    max_value: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> ExpectColumnCountBetweenSpec:
        check_bounds(self.min_value, self.max_value, need_one=False)
        return self


class ExpectColumnCountBetween(GEQueryCheck[ExpectColumnCountBetweenSpec]):
    spec_model = ExpectColumnCountBetweenSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        count = len(table_columns(connection, ctx))
        return between_outcome(count, self.spec.min_value, self.spec.max_value)
