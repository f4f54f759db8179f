"""expect_table_columns_to_match_set: the table's columns are ``column_set`` (or include it
when ``exact_match`` is false)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, table_columns, with_observed
from agent.checks.results import Outcome


class ExpectColumnsMatchSetSpec(GESpec):
    type: Literal["expect_table_columns_to_match_set"]
    column_set: list[str] | None = None
    exact_match: bool | None = True


class ExpectColumnsMatchSet(GEQueryCheck[ExpectColumnsMatchSetSpec]):
    spec_model = ExpectColumnsMatchSetSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        actual = [column["name"] for column in table_columns(connection, ctx)]
        if self.spec.column_set is None:  # no set given: vacuously true
            return Outcome(**with_observed({"success": True}, actual))
        expected = set(self.spec.column_set)
        missing = sorted(expected - set(actual))
        unexpected = sorted(set(actual) - expected)
        success = not missing and (not unexpected or self.spec.exact_match is False)
        message = None if success else f"missing {missing}, unexpected {unexpected}"
        mismatched = {key: names for key, names in (("missing", missing), ("unexpected", unexpected))
                      if names}
        details = {"details": {"mismatched": mismatched}}
        return Outcome(**with_observed(
            {"success": success, "message": message, "details": details,
             "expected_value": list(self.spec.column_set)}, actual))
