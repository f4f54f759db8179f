"""Reading a sample of a table instead of all of it.

PostgreSQL: ``TABLESAMPLE BERNOULLI (p)`` (every row with probability p) or ``SYSTEM (p)`` (whole
pages: faster, clustered data makes it less random). DuckDB: ``TABLESAMPLE bernoulli(p PERCENT)``
and ``reservoir(N ROWS)``. Elsewhere a portable fallback keeps each row with probability p through
the dialect's random function (SQLite ``random()``, MySQL/MariaDB ``rand()``). Counts from a
sample are extrapolated by ``scale`` and marked estimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from agent.profiling.config import SampleMethod

_SQLITE_RANDOM_SPAN = 1_000_000_000
KEY_LIKE_RATIO = 0.97  # below 1 by about the HLL error of the sample's distinct count


class SampleSettings(Protocol):
    """What a config says about sampling (a dataset's profile, or the dataset's checks)."""

    @property
    def sample(self) -> float | None: ...

    @property
    def sample_rows(self) -> int | None: ...

    @property
    def sample_method(self) -> SampleMethod: ...


@dataclass(frozen=True)
class SamplePlan:
    """How rows are chosen: ``fraction`` of them (None: all), or ``rows`` by reservoir."""

    fraction: float | None = None
    rows: int | None = None
    method: SampleMethod = "bernoulli"

    @property
    def sampled(self) -> bool:
        return (self.fraction is not None and self.fraction < 1.0) or self.rows is not None

    def describe(self) -> str:
        if self.rows is not None:
            return f"{self.rows} rows (reservoir)"
        if self.fraction is not None and self.fraction < 1.0:
            return f"{self.fraction * 100:g}% ({self.method})"
        return "all rows"


FULL = SamplePlan()


def plan_sample(config: SampleSettings | None, dialect_name: str, total_rows: int | None) -> SamplePlan:
    """The sample the config asks for. ``sample_rows`` becomes a fraction of ``total_rows``
    except on DuckDB, which samples a fixed number of rows itself."""
    if config is None or (config.sample is None and config.sample_rows is None):
        return FULL
    if config.sample is not None:
        return SamplePlan(fraction=config.sample, method=config.sample_method)
    assert config.sample_rows is not None
    if total_rows is not None and total_rows <= config.sample_rows:
        return FULL
    if dialect_name == "duckdb":
        return SamplePlan(rows=config.sample_rows, method="bernoulli")
    if total_rows is None:
        raise ValueError("sample_rows needs the table's row count on this dialect")
    return SamplePlan(fraction=config.sample_rows / total_rows, method=config.sample_method)


def sampled_source(
    table: sa.TableClause, dialect_name: str, plan: SamplePlan
) -> tuple[FromClause, ColumnElement[bool] | None]:
    """The FROM element to select from, and a WHERE condition for the portable fallback."""
    if not plan.sampled:
        return table, None
    if dialect_name == "postgresql":
        assert plan.fraction is not None
        percent: ColumnElement[Any] = sa.literal_column(_number(plan.fraction * 100.0))
        function = sa.func.system if plan.method == "system" else sa.func.bernoulli
        return sa.tablesample(table, function(percent)), None
    if dialect_name == "duckdb":
        if plan.rows is not None:
            size: ColumnElement[Any] = sa.literal_column(f"{int(plan.rows)} ROWS")
            return sa.tablesample(table, sa.func.reservoir(size)), None
        assert plan.fraction is not None
        size = sa.literal_column(f"{_number(plan.fraction * 100.0)} PERCENT")
        function = sa.func.system if plan.method == "system" else sa.func.bernoulli
        return sa.tablesample(table, function(size)), None
    assert plan.fraction is not None
    return table, _random_below(dialect_name, plan.fraction)


def _random_below(dialect_name: str, fraction: float) -> ColumnElement[bool]:
    if dialect_name == "sqlite":
        # random() is a signed 64-bit integer; its remainder is uniform enough for sampling.
        bucket = sa.func.abs(sa.func.random()) % _SQLITE_RANDOM_SPAN
        return bucket < int(fraction * _SQLITE_RANDOM_SPAN)
    if dialect_name in {"mysql", "mariadb"}:
        return sa.func.rand() < fraction
    return sa.func.random() < fraction  # PostgreSQL-compatible engines without TABLESAMPLE


def _number(value: float) -> str:
    """A plain decimal literal (validated float, never user text)."""
    if not 0.0 < value <= 100.0:
        raise ValueError(f"sample percentage out of range: {value!r}")
    return f"{value:.10f}".rstrip("0").rstrip(".")


def scale_factor(plan: SamplePlan, sampled_rows: int, total_rows: int | None) -> float:
    """Multiply sample counts by this to estimate table counts."""
    if not plan.sampled:
        return 1.0
    if total_rows is not None and sampled_rows > 0:
        return total_rows / sampled_rows
    if plan.fraction is not None:
        return 1.0 / plan.fraction
    return 1.0


def extrapolate_distinct(
    sample_distinct: float, sample_rows: int, total_rows: float, *, exact: bool = False
) -> float:
    """Distinct values in the table from those seen in a uniform sample of it.

    Assumes every distinct value occurs equally often (N / D times): a Bernoulli sample at rate
    p = n / N then holds D * (1 - (1 - p)^(N / D)) of them on average. That is increasing in D, so
    D is found by bisection. Exact for keys (every value once: D = d / p) and for
    low-cardinality columns (every value seen: D = d); skewed columns come out low, and values
    repeated only a few times each are hard to tell from keys in a small sample. ``exact`` says
    ``sample_distinct`` was counted exactly (not an HLL estimate).
    """
    if sample_rows <= 0 or total_rows <= sample_rows or sample_distinct <= 0:
        return sample_distinct
    if sample_distinct >= sample_rows * (1.0 if exact else KEY_LIKE_RATIO):
        # Every sampled value distinct (or, for an HLL count, within its error of that): the
        # model is flat here, so small errors in the sample's count would swing the answer by
        # orders of magnitude. Scale like a key.
        return float(min(total_rows, sample_distinct * total_rows / sample_rows))
    p = sample_rows / total_rows
    miss = math.log1p(-p) if p < 1.0 else -math.inf

    def expected(distinct: float) -> float:
        return distinct * -math.expm1(total_rows / distinct * miss)

    low, high = float(sample_distinct), float(total_rows)
    if expected(high) <= sample_distinct:
        return high
    for _ in range(100):
        middle = (low + high) / 2.0
        if expected(middle) < sample_distinct:
            low = middle
        else:
            high = middle
        if high - low <= 0.5:
            break
    return (low + high) / 2.0
