"""expect_column_distinct_values_to_equal_set: the distinct non-null values are exactly ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import (
    GEColumnSpec,
    GEQueryCheck,
    column_values,
    parse_datetime,
    with_observed,
)
from agent.checks.results import Outcome


class ExpectDistinctEqualSetSpec(GEColumnSpec):
    type: Literal["expect_column_distinct_values_to_equal_set"]
    value_set: list[Any] | None = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectDistinctEqualSet(GEQueryCheck[ExpectDistinctEqualSetSpec]):
    spec_model = ExpectDistinctEqualSetSpec

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        observed = sorted(column_values(connection, ctx, self.column, where, distinct=True),
                          key=_order)
        wanted = list(self.spec.value_set or [])
        if self.spec.parse_strings_as_datetimes:
            wanted = [parse_datetime(value) for value in wanted]
            observed = [parse_datetime(value) for value in observed]
        present, expected = set(observed), set(wanted)
        success = present == expected
        message = None if success else (
            f"missing {sorted(expected - present, key=_order)}, "
            f"unexpected {sorted(present - expected, key=_order)}"
        )
        return Outcome(**with_observed(
            {"success": success, "message": message, "expected_value": wanted,
             "details": {"value_counts_size": len(observed)}}, observed))


def _order(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)
