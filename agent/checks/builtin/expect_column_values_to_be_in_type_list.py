"""expect_column_values_to_be_in_type_list: the column is of one of ``type_list`` (as declared; a type
also matches its SQLAlchemy base types, e.g. VARCHAR is a String)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapSpec, GEQueryCheck, table_columns, type_names
from agent.checks.results import Outcome


class ExpectInTypeListSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_in_type_list"]
    type_list: list[str] | None = None


class ExpectInTypeList(GEQueryCheck[ExpectInTypeListSpec]):
    spec_model = ExpectInTypeListSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        found = [c for c in table_columns(connection, ctx) if c["name"] == self.column]
        if not found:
            return Outcome.failed_with_error(f"column {self.column!r} does not exist")
        actual = found[0]["type"]
        wanted = list(self.spec.type_list or [])
        success = not wanted or bool({name.upper() for name in wanted} & type_names(actual))
        observed = type(actual).__name__
        message = None if success else f"column type {observed}, expected one of {wanted}"
        return Outcome(success=success, observed_value=observed, expected_value=wanted,
                       message=message)
