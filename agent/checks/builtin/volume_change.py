"""volume_change: the dataset's row count changed by at most so many percent since the previous
run that computed it.

``max_change_percent`` bounds the change both ways; ``max_decrease_percent`` and
``max_increase_percent`` bound one direction each. The observed value is the change in percent
(negative for a decrease). The previous row count is the last computed result of this check, which
the runner is given (``QueryContext.previous``); without one (the first run) the check passes and
says so. The row count is the dataset's own, fused into its scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, CheckSpec, QueryContext
from agent.checks.expressions import count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome


class VolumeChangeSpec(CheckSpec):
    type: Literal["volume_change"]
    max_change_percent: float | None = Field(
        default=None, ge=0, description="Largest change either way, in percent of the previous."
    )
    max_decrease_percent: float | None = Field(
        default=None, ge=0, le=100, description="Largest drop, in percent of the previous count."
    )
    max_increase_percent: float | None = Field(
        default=None, ge=0, description="Largest growth, in percent of the previous count."
    )

    @model_validator(mode="after")
    def _one_way_to_bound(self) -> VolumeChangeSpec:
        directional = self.max_decrease_percent is not None or self.max_increase_percent is not None
        if self.max_change_percent is not None and directional:
            raise ValueError("give max_change_percent (both ways) or max_decrease_percent / "
                             "max_increase_percent, not both")
        if self.max_change_percent is None and not directional:
            raise ValueError("give max_change_percent, or max_decrease_percent and/or "
                             "max_increase_percent")
        return self

    def bounds(self) -> tuple[float | None, float | None]:
        """The allowed change in percent: (lowest, highest); None is open."""
        if self.max_change_percent is not None:
            return -self.max_change_percent, self.max_change_percent
        low = None if self.max_decrease_percent is None else -self.max_decrease_percent
        return low, self.max_increase_percent


class VolumeChangeCheck(AggregateCheck[VolumeChangeSpec]):
    spec_model = VolumeChangeSpec
    default_dimension = "completeness"
    uses_history = True

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows()}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["rows"])
        low, high = self.spec.bounds()
        previous = ctx.previous.get(self.name)
        before = None if previous is None else previous.outcome.element_count
        if previous is None or before is None:
            return Outcome(
                success=True, expected_min=low, expected_max=high, element_count=rows,
                message=f"no previous run to compare with; {rows} rows are the baseline",
            )
        details = {"previous": {"row_count": before, "run_at": previous.started_at.isoformat()}}
        if before == 0 and rows > 0:
            success = high is None
            return Outcome(
                success=success, expected_min=low, expected_max=high, element_count=rows,
                details=details,
                message=f"grew from 0 to {rows} rows (no percentage change from zero)"
                + ("" if success else "; any growth from zero exceeds max_increase_percent"),
            )
        change = 0.0 if before == 0 else (rows - before) / before * 100.0
        success = (low is None or change >= low) and (high is None or change <= high)
        message = None
        if not success:
            message = (f"{rows} rows, {change:+.2f}% since the previous run ({before} rows); "
                       f"allowed [{_percent(low)}, {_percent(high)}]")
        return Outcome(
            success=success, observed_value=change, expected_min=low, expected_max=high,
            element_count=rows, message=message, details=details,
        )


def _percent(value: float | None) -> str:
    return "open" if value is None else f"{value:+g}%"
