"""expect_table_columns_to_match_ordered_list: the table's columns, in order, are
``column_list``."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, table_columns, with_observed
from agent.checks.results import Outcome


class ExpectColumnsOrderedSpec(GESpec):
    type: Literal["expect_table_columns_to_match_ordered_list"]
    column_list: list[str] | None = None


class ExpectColumnsOrdered(GEQueryCheck[ExpectColumnsOrderedSpec]):
    spec_model = ExpectColumnsOrderedSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        actual = [column["name"] for column in table_columns(connection, ctx)]
        if self.spec.column_list is None:  # no list given: vacuously true
            return Outcome(**with_observed({"success": True}, actual))
        success = actual == list(self.spec.column_list)
        message = None if success else f"columns are {actual}, expected {self.spec.column_list}"
        return Outcome(**with_observed(
            {"success": success, "message": message,
             "expected_value": list(self.spec.column_list)}, actual))
