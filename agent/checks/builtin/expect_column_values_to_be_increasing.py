"""expect_column_values_to_be_increasing: each non-null value is at least the previous non-null
value in row order (greater with ``strictly``); see :mod:`agent.checks.builtin.monotonic` for the
row order and the query it costs."""

from __future__ import annotations

from typing import Any, Literal

from agent.checks.builtin.monotonic import MonotonicCheck, MonotonicSpec


class ExpectIncreasingSpec(MonotonicSpec):
    type: Literal["expect_column_values_to_be_increasing"]


class ExpectIncreasing(MonotonicCheck[ExpectIncreasingSpec]):
    spec_model = ExpectIncreasingSpec
    direction = "increasing"

    def breaks(self, value: Any, previous: Any) -> Any:
        return value <= previous if self.spec.strictly else value < previous
