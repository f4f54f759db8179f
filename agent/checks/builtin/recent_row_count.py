"""recent_row_count: the rows whose timestamp ``column`` falls in the last ``window`` (default one
day) number between ``min`` and ``max``: daily volume, computed in the dataset's one scan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, ColumnCheckSpec, QueryContext
from agent.checks.expressions import count_where
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome
from agent.config.durations import Duration


class RecentRowCountSpec(ColumnCheckSpec):
    type: Literal["recent_row_count"]
    window: Duration = Field(default=86400.0, description="How far back from now, e.g. 1d.")
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> RecentRowCountSpec:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.window <= 0:
            raise ValueError("window must be positive")
        return self


class RecentRowCountCheck(AggregateCheck[RecentRowCountSpec]):
    spec_model = RecentRowCountSpec
    default_dimension = "completeness"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        # Naive UTC, as the freshness check reads naive timestamps.
        since = (ctx.now.astimezone(UTC) - timedelta(seconds=self.spec.window)).replace(tzinfo=None)
        column = ctx.col(self.spec.column)
        return {"recent": count_where(column >= sa.literal(since))}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["recent"])
        low, high = self.spec.min, self.spec.max
        success = (low is None or rows >= low) and (high is None or rows <= high)
        message = None
        if not success:
            message = (f"{rows} rows in the last {self.spec.window:g}s by {self.spec.column}, "
                       f"expected between {low} and {high}")
        return Outcome(success=success, observed_value=rows, expected_min=low,
                       expected_max=high, message=message)
