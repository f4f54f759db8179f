"""expect_column_quantile_values_to_be_between: each quantile of the column's non-null values lies
within its range.

``quantile_ranges: {quantiles: [q, ...], value_ranges: [[min, max], ...]}``: a None bound is open,
bounds are inclusive and, as in Great Expectations, a value within a relative 1e-4 of a bound
counts as on it; a column without non-null values has no quantiles and fails. The quantiles are
exact discrete ones (a value of the column), computed in the dataset's fused SELECT
(:mod:`agent.checks.builtin.quantile_sql`); ``allow_relative_error`` is accepted for
compatibility and changes nothing, as on Great Expectations' SQL engines that have exact
quantiles. The result reports ``{quantiles, values}`` and ``success_details`` per quantile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, jsonable, plain, with_observed
from agent.checks.builtin.quantile_sql import quantile_expressions
from agent.checks.expressions import count_non_null, count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome

BOUND_RTOL = 1.0e-4  # Great Expectations' tolerance at a range's bounds
BOUND_ATOL = 1.0e-8


class QuantileRanges(BaseModel):
    """The quantiles (0 to 1) and one [min, max] range for each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quantiles: list[float] = Field(min_length=1)
    value_ranges: list[list[float | None]]

    @model_validator(mode="after")
    def _consistent(self) -> QuantileRanges:
        outside = [q for q in self.quantiles if not 0.0 <= q <= 1.0]
        if outside:
            raise ValueError(f"quantiles must lie between 0 and 1; got {outside}")
        for index, pair in enumerate(self.value_ranges):
            if len(pair) != 2:
                raise ValueError(f"value_ranges[{index}] is {pair}; give [min, max] "
                                 "(null for an open end)")
            low, high = pair
            if low is not None and high is not None and low > high:
                raise ValueError(
                    f"quantile_ranges must consist of ordered pairs: value_ranges[{index}] is "
                    f"[{low}, {high}]; write it as [{high}, {low}]")
        if len(self.quantiles) != len(self.value_ranges):
            raise ValueError(
                f"quantile_ranges has {len(self.quantiles)} quantiles but "
                f"{len(self.value_ranges)} value_ranges; give one [min, max] per quantile")
        return self


class ExpectQuantileValuesBetweenSpec(GEColumnSpec):
    type: Literal["expect_column_quantile_values_to_be_between"]
    quantile_ranges: QuantileRanges
    allow_relative_error: bool | Literal["linear", "lower", "higher", "midpoint", "nearest"] = (
        Field(default=False, description="Accepted for compatibility; quantiles are exact."))


class ExpectQuantileValuesBetween(AggregateCheck[ExpectQuantileValuesBetweenSpec]):
    spec_model = ExpectQuantileValuesBetweenSpec
    default_dimension = "accuracy"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        quantiles = self.spec.quantile_ranges.quantiles
        expressions = quantile_expressions(ctx, self.column, quantiles)
        return {
            "rows": count_rows(), "nonnull": count_non_null(ctx.col(self.column)),
            **{f"q{index}": expression for index, expression in enumerate(expressions)},
        }

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows, nonnull = as_int(values["rows"]), as_int(values["nonnull"])
        ranges = self.spec.quantile_ranges
        observed = [plain(values[f"q{index}"]) for index in range(len(ranges.quantiles))]
        inside = [in_range(value, low, high)
                  for value, (low, high) in zip(observed, ranges.value_ranges, strict=True)]
        success = all(inside)
        missing = rows - nonnull
        return Outcome(**with_observed({
            "success": success, "element_count": rows, "missing_count": missing,
            "message": None if success else outside_message(ranges, observed, inside),
            "details": {"details": {"success_details": inside},
                        "missing_percent": missing / rows * 100.0 if rows else None},
        }, {"quantiles": list(ranges.quantiles), "values": jsonable(observed)}))


def in_range(value: Any, low: float | None, high: float | None) -> bool:
    """Great Expectations' test: on a bound within its tolerance, or between the bounds."""
    if value is None:
        return False
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"quantile value {value!r} is not a number; value_ranges are numeric")
    if math.isnan(value):
        return False
    for bound in (low, high):
        if bound is not None and abs(value - bound) <= BOUND_ATOL + BOUND_RTOL * abs(bound):
            return True
    return (low is None or low <= value) and (high is None or value <= high)


def outside_message(ranges: QuantileRanges, observed: list[Any], inside: list[bool]) -> str:
    if all(value is None for value in observed):
        return "no quantiles: the column has no non-null values"
    parts = [f"quantile {q} is {value} (expected [{low}, {high}])"
             for q, value, (low, high), ok
             in zip(ranges.quantiles, observed, ranges.value_ranges, inside, strict=True) if not ok]
    return "; ".join(parts)
