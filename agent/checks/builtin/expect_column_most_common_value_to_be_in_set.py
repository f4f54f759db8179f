"""expect_column_most_common_value_to_be_in_set: the most frequent non-null value (all of the
tied ones, unless ``ties_okay`` lets any of them do) is in ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, GEQueryCheck, with_observed
from agent.checks.builtin.samples import counts_and_nulls
from agent.checks.results import Outcome


class ExpectMostCommonInSetSpec(GEColumnSpec):
    type: Literal["expect_column_most_common_value_to_be_in_set"]
    value_set: list[Any]
    ties_okay: bool | None = None


class ExpectMostCommonInSet(GEQueryCheck[ExpectMostCommonInSetSpec]):
    spec_model = ExpectMostCommonInSetSpec

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        by_value, nulls = counts_and_nulls(connection, ctx, self.column, where)
        counts = sorted(by_value.items(), key=lambda item: -item[1])
        rows = nulls + sum(by_value.values())
        top = counts[0][1] if counts else 0
        modes = sorted((value for value, n in counts if n == top), key=lambda v: (str(type(v)), v))
        wanted = set(self.spec.value_set)
        inside = [mode in wanted for mode in modes]
        success = bool(modes) and (any(inside) if self.spec.ties_okay else all(inside))
        message = None if success else f"most common value(s) {modes} not in {self.spec.value_set}"
        return Outcome(**with_observed(
            {"success": success, "message": message, "expected_value": list(self.spec.value_set),
             "element_count": rows, "missing_count": nulls,
             "details": {"missing_percent": nulls / rows * 100.0 if rows else None}},
            modes))
