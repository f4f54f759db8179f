"""Rule suggestion: checks inferred from a profile, each with a confidence, printed as config YAML.

- ``row_count`` (min 1) for a table with rows;
- ``not_null`` where no nulls were seen; ``unique`` where every value was distinct (integer and
  string columns: keys, not measurements);
- ``range`` from the observed min / max widened by a margin of 10% of the spread;
- ``accepted_values`` for columns with at most 20 values, all of them among the top values;
- ``regex`` from a dominant character-class shape (or the e-mail shape);
- ``freshness`` from the update cadence of the newest timestamp across stored profiles (or the
  spacing of the values when there is only one profile).

Confidence is a heuristic in (0, 1]: higher with more rows read, lower for sampled profiles.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml

from agent.config.models import DatasetConfig
from agent.profiling.profile import ColumnProfile, Profile

MAX_ACCEPTED_VALUES = 20
DOMINANT_SHARE = 0.95
RANGE_MARGIN = 0.1
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
_CLASSES = {"A": "[A-Z]", "a": "[a-z]", "9": "[0-9]"}


@dataclass(frozen=True)
class Suggestion:
    check: dict[str, Any]
    confidence: float
    reason: str


@dataclass(frozen=True)
class SuggestionContext:
    """History for cadence-based suggestions: (profile time, newest value) per temporal column."""

    newest_by_column: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _evidence(rows: int, sampled: bool) -> float:
    """Confidence from the number of rows behind a statement: 0.5 at 1 row, ~0.99 at 10,000."""
    base = 1.0 - 0.5 / math.sqrt(max(1, rows))
    return round(max(0.05, min(0.99, base * (0.9 if sampled else 1.0))), 2)


def suggest(profile: Profile, context: SuggestionContext | None = None) -> list[Suggestion]:
    sampled = profile.row_count_estimated
    found: list[Suggestion] = []
    if profile.row_count > 0:
        found.append(Suggestion({"type": "row_count", "min": 1}, _evidence(profile.row_count, False),
                                f"{profile.row_count:,} rows profiled"))
    for column in profile.columns:
        found.extend(_column_suggestions(column, sampled))
    found.extend(_freshness(profile, context or SuggestionContext()))
    return found


def _column_suggestions(column: ColumnProfile, sampled: bool) -> list[Suggestion]:
    non_null = column.non_null_count
    if non_null == 0:
        return []
    name = column.name
    out: list[Suggestion] = []
    if column.null_count == 0:
        out.append(Suggestion({"type": "not_null", "column": name}, _evidence(column.count, sampled),
                              f"no nulls in {column.count:,} rows"))
    repeated = bool(column.top_values)
    if column.kind in ("integer", "string") and not repeated and column.unique_ratio is not None \
            and column.unique_ratio >= 0.999 and non_null > 1:
        confidence = _evidence(non_null, sampled) * (1.0 if not column.unique_count_estimated else 0.9)
        out.append(Suggestion({"type": "unique", "column": name}, round(confidence, 2),
                              f"{column.unique_count:,} distinct of {non_null:,} values, none repeated"))
    accepted = _accepted_values(column, sampled)
    if accepted is not None:
        out.append(accepted)
    elif column.kind in ("integer", "float") and not column.type.upper().startswith("BOOL"):
        ranged = _range(column, sampled)
        if ranged is not None:
            out.append(ranged)
    if column.kind == "string" and accepted is None:
        pattern = _regex(column, sampled)
        if pattern is not None:
            out.append(pattern)
    return out


def _accepted_values(column: ColumnProfile, sampled: bool) -> Suggestion | None:
    if column.unique_count > MAX_ACCEPTED_VALUES or column.unique_count < 1:
        return None
    values = [top["value"] for top in column.top_values]
    covered = sum(top["share"] for top in column.top_values)
    if len(values) < column.unique_count or covered < 0.999 or column.kind not in ("string", "integer"):
        return None
    if column.kind == "integer" and column.type.upper().startswith("BOOL"):
        return None
    rarest = min(top["count"] for top in column.top_values)
    confidence = _evidence(rarest, sampled) * (0.9 if column.unique_count_estimated else 1.0)
    return Suggestion({"type": "accepted_values", "column": column.name, "values": sorted(values)},
                      round(confidence, 2),
                      f"{len(values)} values, the rarest seen {rarest:,} times")


def _range(column: ColumnProfile, sampled: bool) -> Suggestion | None:
    stats = column.statistics or {}
    low, high = stats.get("min"), stats.get("max")
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return None
    spread = high - low or abs(high) or 1.0
    margin = RANGE_MARGIN * spread
    lower, upper = low - margin, high + margin
    if low >= 0 and lower < 0:
        lower = 0.0  # never suggest negatives for a column that had none
    if column.kind == "integer":
        lower, upper = math.floor(lower), math.ceil(upper)
    else:
        lower, upper = _round(lower), _round(upper)
    confidence = _evidence(column.non_null_count, sampled) * 0.8
    return Suggestion({"type": "range", "column": column.name, "min": lower, "max": upper},
                      round(confidence, 2),
                      f"observed [{low:g}, {high:g}], widened by {RANGE_MARGIN:.0%} of the spread")


def _round(value: float) -> float:
    if value == 0:
        return 0.0
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return round(value, digits)


def shape_regex(shape: str, *, flexible: bool = False) -> str:
    """A regex for a character-class shape; ``flexible`` lets each run of a letter or digit class
    have any length (other characters stay literal)."""
    parts: list[str] = []
    for char, run in _runs(shape):
        token = _CLASSES.get(char, re.escape(char))
        if flexible and char in _CLASSES:
            parts.append(token + "+")
        else:
            parts.append(token if run == 1 else f"{token}{{{run}}}")
    return "^" + "".join(parts) + "$"


def _runs(shape: str) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for char in shape:
        if runs and runs[-1][0] == char:
            runs[-1] = (char, runs[-1][1] + 1)
        else:
            runs.append((char, 1))
    return runs


def _regex(column: ColumnProfile, sampled: bool) -> Suggestion | None:
    patterns = column.pattern_distribution or {}
    email_ratio = patterns.get("email_ratio")
    if isinstance(email_ratio, float) and email_ratio >= DOMINANT_SHARE:
        confidence = _evidence(column.non_null_count, sampled) * email_ratio
        return Suggestion({"type": "regex", "column": column.name, "pattern": EMAIL_REGEX},
                          round(confidence, 2), f"{email_ratio:.1%} of values look like e-mail addresses")
    shapes = [(p["pattern"], p["share"]) for p in patterns.get("patterns", [])
              if not str(p["pattern"]).endswith("…")]
    if not shapes:
        return None
    shape, share = shapes[0]
    exact = share >= DOMINANT_SHARE
    if not exact:
        grouped: dict[str, float] = defaultdict(float)
        for pattern, part in shapes:
            grouped[shape_regex(pattern, flexible=True)] += part
        regex, share = max(grouped.items(), key=lambda item: item[1])
        if share < DOMINANT_SHARE:
            return None
    else:
        regex = shape_regex(shape)
    confidence = _evidence(column.non_null_count, sampled) * share * (1.0 if exact else 0.9)
    return Suggestion({"type": "regex", "column": column.name, "pattern": regex}, round(confidence, 2),
                      f"{share:.1%} of values have the shape {'' if exact else 'family '}{regex}")


def _freshness(profile: Profile, context: SuggestionContext) -> list[Suggestion]:
    """One freshness check on the temporal column with the newest values."""
    best: tuple[float, ColumnProfile] | None = None
    for column in profile.columns:
        stats = column.statistics or {}
        if column.kind == "temporal" and isinstance(stats.get("max"), str):
            newest = _epoch(str(stats["max"]))
            if best is None or newest > best[0]:
                best = (newest, column)
    if best is None:
        return []
    column = best[1]
    history = sorted(context.newest_by_column.get(column.name, []))
    deltas = [b[1] - a[1] for a, b in itertools.pairwise(history) if b[1] > a[1]]
    if len(deltas) >= 2:
        cadence = statistics.median(deltas)
        confidence = min(0.9, 0.5 + 0.1 * len(deltas))
        reason = f"newest value advanced every ~{_human(cadence)} over {len(history)} profiles"
    else:
        stats = column.statistics or {}
        span = _epoch(str(stats["max"])) - _epoch(str(stats["min"]))
        cadence = span / max(1, column.non_null_count - 1)
        confidence = 0.3
        reason = f"values are ~{_human(cadence)} apart on average (one profile; no update history)"
    max_age = max(3600, math.ceil(3 * cadence / 3600.0) * 3600)
    if profile.profile_timestamp.timestamp() - best[0] > max_age:
        return []  # already older than that when profiled: the table is not updated steadily
    return [Suggestion({"type": "freshness", "column": column.name, "max_age": f"{max_age // 3600}h"},
                       round(confidence, 2), reason)]


def _epoch(iso: str) -> float:
    import datetime as dt

    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def history_context(profiles: list[Profile]) -> SuggestionContext:
    newest: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for profile in profiles:
        for column in profile.columns:
            stats = column.statistics or {}
            if column.kind == "temporal" and isinstance(stats.get("max"), str):
                newest[column.name].append((profile.profile_timestamp.timestamp(),
                                            _epoch(str(stats["max"]))))
    return SuggestionContext(dict(newest))


def render_yaml(name: str, dataset: DatasetConfig, profile: Profile, suggestions: list[Suggestion],
                min_confidence: float = 0.0) -> str:
    """The suggestions as a ``datasets:`` section that loads as config (confidences in comments)."""
    head: dict[str, Any] = {"table": dataset.table}
    if dataset.schema_name is not None:
        head["schema"] = dataset.schema_name
    if dataset.warehouse is not None:
        head["warehouse"] = dataset.warehouse
    if dataset.where is not None:
        head["where"] = dataset.where
    kept = [s for s in suggestions if s.confidence >= min_confidence]
    lines = [
        f"# Checks suggested for dataset {name} from profile {profile.profile_id or '(not stored)'}",
        f"# ({profile.profile_timestamp:%Y-%m-%d %H:%M:%S}Z, {profile.row_count:,} rows, "
        f"sample: {profile.sample}). Review them before use; confidence is in (0, 1].",
        "datasets:",
        f"  {_scalar(name)}:",
    ]
    for key, value in head.items():
        lines.append(f"    {key}: {_scalar(value)}")
    if not kept:
        lines.append("    checks: []")
        return "\n".join(lines) + "\n"
    lines.append("    checks:")
    for item in kept:
        lines.append(f"      # confidence {item.confidence:.2f}: {item.reason}")
        lines.append(f"      - {_flow(item.check)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def _flow(check: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(check, default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip()
