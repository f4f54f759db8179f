"""expect_column_to_exist: the table has ``column`` (at zero-based ``column_index`` if given)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, GEQueryCheck, table_columns
from agent.checks.results import Outcome


class ExpectColumnExistsSpec(GEColumnSpec):
    type: Literal["expect_column_to_exist"]
    column_index: int | None = None


class ExpectColumnExists(GEQueryCheck[ExpectColumnExistsSpec]):
    spec_model = ExpectColumnExistsSpec
    default_dimension = "consistency"

    def columns(self) -> set[str]:
        return set()  # the column may not exist: the table clause must not name it

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        names = [column["name"] for column in table_columns(connection, ctx)]
        index = self.spec.column_index
        if index is None:
            success = self.spec.column in names
        else:
            success = index < len(names) and names[index] == self.spec.column
        message = None if success else f"column {self.spec.column!r} not found (columns: {names})"
        return Outcome(success=success, message=message)
