"""Profile gauges for the exporter, with bounded cardinality: dq_column_null_ratio,
dq_column_distinct_count and dq_column_quantile{quantile="0.5|0.9|0.99"} for the configured
``export_columns`` only (default: the first 20 profiled columns)."""

from __future__ import annotations

import math

from agent.profiling.config import DEFAULT_EXPORT_LIMIT
from agent.profiling.profile import Profile
from agent.sketches import ColumnSketch
from agent.snapshot import ResultsSnapshot

FAMILIES = ("dq_column_null_ratio", "dq_column_distinct_count", "dq_column_quantile")
_FROM_STATISTICS = {"0.5": "median", "0.99": "p99"}


def exported_columns(profile: Profile, export_columns: list[str] | None) -> list[str]:
    names = [column.name for column in profile.columns]
    if export_columns is None:
        return names[:DEFAULT_EXPORT_LIMIT]
    return [name for name in export_columns if name in names]


def publish_profile(
    snapshot: ResultsSnapshot, warehouse: str, profile: Profile, sketches: dict[str, ColumnSketch],
    export_columns: list[str] | None = None,
) -> int:
    """Replace the dataset's dq_column_* gauges with this profile's; returns the series count."""
    for family in FAMILIES:
        snapshot.clear_published(family, profile.dataset)
    series = 0
    for name in exported_columns(profile, export_columns):
        column = profile.column(name)
        labels = {"warehouse": warehouse, "dataset": profile.dataset, "column": name}
        snapshot.publish("dq_column_null_ratio", profile.dataset, labels, column.null_ratio)
        snapshot.publish("dq_column_distinct_count", profile.dataset, labels, float(column.unique_count))
        series += 2
        for quantile, value in _quantiles(name, profile, sketches).items():
            snapshot.publish("dq_column_quantile", profile.dataset, {**labels, "quantile": quantile}, value)
            series += 1
    return series


def _quantiles(name: str, profile: Profile, sketches: dict[str, ColumnSketch]) -> dict[str, float]:
    """Quantiles from the KLL sketch (temporal columns in epoch seconds); a pushdown profile has
    no sketch and exports the median and p99 of numeric columns."""
    sketch = sketches.get(name)
    if sketch is not None:
        if sketch.kll is None or sketch.kll.is_empty():
            return {}
        return {key: value for key, value in sketch.summary().exported_quantiles.items()
                if math.isfinite(value)}
    column = profile.column(name)
    stats = column.statistics or {}
    if column.kind not in ("integer", "float"):
        return {}
    found: dict[str, float] = {}
    for quantile, key in _FROM_STATISTICS.items():
        value = stats.get(key)
        if isinstance(value, int | float) and math.isfinite(value):
            found[quantile] = float(value)
    return found
