"""expect_column_distinct_values_to_be_in_set: every distinct non-null value is in ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agent.checks.builtin.ge_base import DistinctValuesSetCheck, GEColumnSpec, value_order


class ExpectDistinctInSetSpec(GEColumnSpec):
    type: Literal["expect_column_distinct_values_to_be_in_set"]
    value_set: list[Any] | None = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectDistinctInSet(DistinctValuesSetCheck[ExpectDistinctInSetSpec]):
    spec_model = ExpectDistinctInSetSpec

    def compare(self, present: set[Any], expected: set[Any], has_set: bool) -> tuple[bool, str | None]:
        extra = sorted(present - expected, key=value_order)
        success = not extra if has_set else True
        return success, None if success else f"values not in the set: {extra}"
