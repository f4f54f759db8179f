"""expect_column_distinct_values_to_contain_set: the distinct non-null values include all of ``value_set``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agent.checks.builtin.ge_base import DistinctValuesSetCheck, GEColumnSpec, value_order


class ExpectDistinctContainSetSpec(GEColumnSpec):
    type: Literal["expect_column_distinct_values_to_contain_set"]
    value_set: list[Any] | None = Field(default_factory=list)
    parse_strings_as_datetimes: bool = False


class ExpectDistinctContainSet(DistinctValuesSetCheck[ExpectDistinctContainSetSpec]):
    spec_model = ExpectDistinctContainSetSpec

    def compare(self, present: set[Any], expected: set[Any], has_set: bool) -> tuple[bool, str | None]:
        missing = sorted(expected - present, key=value_order)
        success = not missing
        return success, None if success else f"values missing: {missing}"
