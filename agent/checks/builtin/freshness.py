"""freshness: the newest value of a timestamp column is at most ``max_age`` old."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, ColumnCheckSpec, QueryContext
from agent.checks.results import Outcome
from agent.config.durations import Duration


class FreshnessSpec(ColumnCheckSpec):
    type: Literal["freshness"]
    max_age: Duration


def as_utc(value: Any) -> datetime | None:
    """A timestamp from the warehouse as an aware UTC datetime; naive values are taken as UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise TypeError(f"expected a timestamp, got {type(value).__name__} {value!r}")


class FreshnessCheck(AggregateCheck[FreshnessSpec]):
    spec_model = FreshnessSpec
    default_dimension = "timeliness"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"newest": sa.func.max(ctx.col(self.spec.column))}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        newest = as_utc(values["newest"])
        if newest is None:
            return Outcome(
                success=False, expected_max=self.spec.max_age,
                message=f"column {self.spec.column} has no values: the dataset has never loaded",
            )
        age = max(0.0, (ctx.now - newest).total_seconds())
        success = age <= self.spec.max_age
        message = None
        if not success:
            stale_by = _human(age - self.spec.max_age)
            message = f"data is stale by {stale_by} (newest {newest:%Y-%m-%dT%H:%M:%SZ})"
        return Outcome(
            success=success, observed_value=age, expected_min=0.0, expected_max=self.spec.max_age,
            message=message, details={"newest": newest.isoformat()},
        )


def _human(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} seconds"
