"""Checks on a sample of a dataset (``sample: 1%`` or ``sample_rows: N`` on the dataset).

Samplable aggregate checks (``AggregateCheck.samplable``) run in fused queries over the sampled
relation, drawn as the profiler draws its samples (:mod:`agent.profiling.sampling`: PostgreSQL
``TABLESAMPLE BERNOULLI|SYSTEM``, DuckDB ``TABLESAMPLE``/reservoir, a random() filter elsewhere).
Their count and sum metrics (``AggregateCheck.extrapolated``) are scaled up to the table before
the verdict and their results are marked estimated; shares and means are kept as measured. The
scale is the table's exact row count over the sample's when a full scan ran anyway (ratio
estimator), else one over the sampled fraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.checks.base import AggregateCheck
from agent.profiling import catalog
from agent.profiling.sampling import SamplePlan, SampleSettings, plan_sample, scale_factor


@dataclass(frozen=True)
class CheckSample:
    """The sample a dataset's samplable checks read in one run."""

    plan: SamplePlan
    total_rows: int | None = None  # exact rows of the (filtered) table, when known

    def extrapolation(self, sampled_rows: int | None) -> Extrapolation | None:
        """How to scale one sampled query's values (None when nothing was sampled)."""
        if not self.plan.sampled:
            return None
        scale = scale_factor(self.plan, int(sampled_rows or 0), self.total_rows)
        return Extrapolation(scale=scale, sample=self.plan.describe())


@dataclass(frozen=True)
class Extrapolation:
    """Scale ``scale`` for one sampled query, whose results are estimates from ``sample``."""

    scale: float
    sample: str

    def apply(self, check: AggregateCheck[Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with the check's count and sum metrics scaled to the table."""
        return {
            name: scaled(value, self.scale) if name in check.extrapolated else value
            for name, value in values.items()
        }


def scaled(value: Any, scale: float) -> Any:
    """A count scaled and rounded to a count; a sum scaled; NULL stays NULL."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return round(value * scale)
    if isinstance(value, Decimal):
        return float(value) * scale
    return float(value) * scale


def resolve_sample(
    connection: Connection, settings: SampleSettings, table: sa.TableClause, where: str | None,
    known_total: int | None,
) -> tuple[CheckSample, int]:
    """The sample to draw, and how many statements finding it took.

    ``sample_rows`` needs the table's row count: the full scan's when one ran, else PostgreSQL's
    planner estimate (cheap; then the sample's size is approximate but the scale stays unbiased),
    else a count.
    """
    dialect = connection.dialect.name
    if settings.sample_rows is None or known_total is not None:
        return CheckSample(plan_sample(settings, dialect, known_total), known_total), 0
    if dialect == "postgresql":
        estimate = catalog.estimated_rows(connection, table.schema, table.name)
        if estimate is not None:
            return CheckSample(plan_sample(settings, dialect, estimate)), 1
    total = catalog.count_rows(connection, table, where)
    return CheckSample(plan_sample(settings, dialect, total), total), 1
