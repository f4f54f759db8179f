"""The Profile model: per-column statistics from sketches, a quality score and an issues list.

Counts from a sample are multiplied by the sample's scale factor and flagged ``estimated``;
distinct counts are exact while the frequent-items sketch still holds every value, HLL
estimates otherwise (``unique_count_estimated``). Temporal statistics are ISO-8601 strings
except ``stddev``, which is in seconds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from agent.profiling.sampling import extrapolate_distinct
from agent.sketches import CalendarHistogram, ColumnSketch, Histogram
from agent.sketches.column_sketch import ColumnSummary
from agent.sketches.temporal import from_epoch_seconds

Severity = Literal["high", "medium", "low"]
PENALTY: dict[str, float] = {"high": 0.5, "medium": 0.2, "low": 0.05}
HIGH_NULL_RATIO = 0.5
NEAR_UNIQUE_RATIO = 0.98
EXTREME_IQR_FACTOR = 10.0


@dataclass(frozen=True)
class Issue:
    type: str
    severity: Severity
    description: str
    column: str | None = None


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str
    kind: str
    nullable: bool
    count: int
    null_count: int
    null_ratio: float
    unique_count: int
    unique_count_estimated: bool
    unique_ratio: float | None
    statistics: dict[str, float | str | None] | None
    histogram: dict[str, Any] | None
    top_values: list[dict[str, Any]]
    value_length: dict[str, float | int | None] | None
    pattern_distribution: dict[str, Any] | None
    counts_estimated: bool = False

    @property
    def non_null_count(self) -> int:
        return self.count - self.null_count


@dataclass(frozen=True)
class Profile:
    dataset: str
    table: str
    profile_timestamp: dt.datetime
    row_count: int
    row_count_estimated: bool
    column_count: int
    size_bytes: int | None
    sample: str
    columns: list[ColumnProfile]
    quality_score: float
    issues: list[Issue]
    method: str = "sketch"
    duration_seconds: float = 0.0
    watermark: str | None = None
    increments: int = 1
    profile_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> ColumnProfile:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"profile of {self.dataset!r} has no column {name!r}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["profile_timestamp"] = self.profile_timestamp.isoformat()
        return _finite(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        values = dict(data)
        values["profile_timestamp"] = dt.datetime.fromisoformat(values["profile_timestamp"])
        values["columns"] = [ColumnProfile(**column) for column in values["columns"]]
        values["issues"] = [Issue(**issue) for issue in values["issues"]]
        return cls(**values)


def _finite(value: Any) -> Any:
    """NaN and infinities as None, so the JSON is standard."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def column_profile(
    sketch: ColumnSketch, sql_type: str, nullable: bool, *, scale: float = 1.0, top_k: int = 10,
    sample_distinct: int | None = None,
) -> ColumnProfile:
    """A column's profile from its sketch; ``scale`` > 1 extrapolates a sample's counts, from
    ``sample_distinct`` (the sample's exact distinct count) when given, else from the HLL."""
    summary = sketch.summary(top_k=top_k)
    sampled = scale != 1.0
    count = round(summary.count * scale)
    null_count = round(summary.null_count * scale)
    non_null = count - null_count
    unique, estimated = _unique_count(sketch, summary, scale, sample_distinct)
    return ColumnProfile(
        name=sketch.name,
        type=sql_type,
        kind=sketch.kind,
        nullable=nullable,
        count=count,
        null_count=null_count,
        null_ratio=summary.null_ratio,
        unique_count=unique,
        unique_count_estimated=estimated,
        unique_ratio=min(1.0, unique / non_null) if non_null else None,
        statistics=_statistics(summary),
        histogram=_histogram(summary.histogram, scale),
        top_values=[
            {"value": top.value, "count": round(top.estimate * scale),
             "count_lower_bound": round(top.lower_bound * scale), "share": top.share}
            for top in summary.top_values
            if top.lower_bound >= 2  # surely repeated: a unique column lists no top values
        ],
        value_length=summary.value_length,
        pattern_distribution=_patterns(summary),
        counts_estimated=sampled,
    )


def _unique_count(
    sketch: ColumnSketch, summary: ColumnSummary, scale: float, sample_distinct: int | None
) -> tuple[int, bool]:
    if scale == 1.0 and sketch.frequent.maximum_error() == 0:
        # Every value is still held with its exact count: the distinct count is exact too.
        return int(sketch.frequent.sketch.num_active_items), False
    estimate = summary.distinct.estimate if sample_distinct is None else float(sample_distinct)
    if scale != 1.0:
        non_null = sketch.non_null_count
        estimate = extrapolate_distinct(estimate, non_null, non_null * scale,
                                        exact=sample_distinct is not None)
    return round(estimate), True


def _statistics(summary: ColumnSummary) -> dict[str, float | str | None] | None:
    if summary.kind == "string":
        return None
    stats: dict[str, float | str | None] = {
        "min": summary.min, "max": summary.max, "mean": summary.mean, "stddev": summary.stddev,
    }
    for name in ("median", "p25", "p75", "p95", "p99"):
        stats[name] = summary.quantiles.get(name)
    if summary.kind == "temporal":
        for name in ("mean", "median", "p25", "p75", "p95", "p99"):
            value = stats[name]
            if isinstance(value, float) and math.isfinite(value):
                stats[name] = str(from_epoch_seconds(value).astype("datetime64[s]"))
    return stats


def _histogram(histogram: Histogram | CalendarHistogram | None, scale: float) -> dict[str, Any] | None:
    if histogram is None:
        return None
    counts = [round(count * scale) for count in histogram.counts]
    if isinstance(histogram, CalendarHistogram):
        return {"granularity": histogram.granularity, "labels": list(histogram.labels), "counts": counts}
    return {"edges": list(histogram.edges), "counts": counts}


def _patterns(summary: ColumnSummary) -> dict[str, Any] | None:
    if summary.patterns is None:
        return None
    result: dict[str, Any] = {
        "patterns": [{"pattern": top.value, "share": top.share} for top in summary.patterns],
    }
    if summary.email is not None:
        result["email_ratio"] = summary.email.email_ratio
        result["email_domains"] = [
            {"domain": top.value, "share": top.share} for top in summary.email.domains
        ]
    return result


def find_issues(row_count: int, columns: list[ColumnProfile]) -> list[Issue]:
    """What a profile shows that usually needs attention."""
    if row_count == 0:
        return [Issue("empty_table", "high", "the table has no rows")]
    issues: list[Issue] = []
    for column in columns:
        issues.extend(_column_issues(column))
    return issues


def _column_issues(column: ColumnProfile) -> list[Issue]:
    name = column.name
    if column.count and column.null_count == column.count:
        return [Issue("all_null", "high", f"every value of {name} is null", name)]
    issues: list[Issue] = []
    if column.null_ratio >= HIGH_NULL_RATIO:
        issues.append(Issue("high_null_ratio", "medium",
                            f"{column.null_ratio:.1%} of {name} is null", name))
    if column.unique_count == 1 and column.non_null_count > 1:
        issues.append(Issue("constant", "low", f"{name} holds a single value", name))
    top = column.top_values[0] if column.top_values else None
    ratio = column.unique_ratio or 0.0
    if top is not None and ratio >= NEAR_UNIQUE_RATIO and column.non_null_count > 100:
        issues.append(Issue(
            "duplicate_keys", "medium",
            f"{name} is {ratio:.1%} distinct but {top['value']!r} occurs at least "
            f"{top['count_lower_bound']} times", name,
        ))
    stats = column.statistics
    if column.kind in ("integer", "float") and stats is not None:
        issues.extend(_extremes(name, stats))
    return issues


def _extremes(name: str, stats: dict[str, float | str | None]) -> list[Issue]:
    values = [stats.get(key) for key in ("p25", "p75", "min", "max")]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return []
    p25, p75, low, high = (float(v) for v in values)  # type: ignore[arg-type]
    spread = p75 - p25
    if spread <= 0:
        return []
    fence_low, fence_high = p25 - EXTREME_IQR_FACTOR * spread, p75 + EXTREME_IQR_FACTOR * spread
    if low < fence_low or high > fence_high:
        return [Issue("extreme_values", "low",
                      f"{name} ranges over [{low:g}, {high:g}], far outside its interquartile "
                      f"range [{p25:g}, {p75:g}]", name)]
    return []


def quality_score(row_count: int, columns: list[ColumnProfile], issues: list[Issue]) -> float:
    """Completeness (1 - mean null ratio) minus issue penalties per column, in [0, 1].

    Penalties: high 0.5, medium 0.2, low 0.05, each divided by the number of columns; an empty
    table scores 0."""
    if row_count == 0 or not columns:
        return 0.0
    completeness = 1.0 - sum(column.null_ratio for column in columns) / len(columns)
    penalty = sum(PENALTY[issue.severity] for issue in issues) / len(columns)
    return max(0.0, min(1.0, completeness - penalty))
