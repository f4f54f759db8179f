"""expect_column_values_to_be_decreasing: each non-null value is at most the previous non-null
value in row order (smaller with ``strictly``); see :mod:`agent.checks.builtin.monotonic` for the
row order and the query it costs."""

from __future__ import annotations

from typing import Any, Literal

from agent.checks.builtin.monotonic import MonotonicCheck, MonotonicSpec


class ExpectDecreasingSpec(MonotonicSpec):
    type: Literal["expect_column_values_to_be_decreasing"]


class ExpectDecreasing(MonotonicCheck[ExpectDecreasingSpec]):
    spec_model = ExpectDecreasingSpec
    direction = "decreasing"

    def breaks(self, value: Any, previous: Any) -> Any:
        return value >= previous if self.spec.strictly else value > previous
