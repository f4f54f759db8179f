"""expect_column_distinct_values_to_equal_set: the distinct non-null values are exactly ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agent.checks.builtin.ge_base import DistinctValuesSetCheck, GEColumnSpec, value_order


class ExpectDistinctEqualSetSpec(GEColumnSpec):
    type: Literal["expect_column_distinct_values_to_equal_set"]
    value_set: list[Any] | None = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectDistinctEqualSet(DistinctValuesSetCheck[ExpectDistinctEqualSetSpec]):
    spec_model = ExpectDistinctEqualSetSpec

    def compare(self, present: set[Any], expected: set[Any], has_set: bool) -> tuple[bool, str | None]:
        if present == expected:
            return True, None
        return False, (
            f"missing {sorted(expected - present, key=value_order)}, "
            f"unexpected {sorted(present - expected, key=value_order)}"
        )
