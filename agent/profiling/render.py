"""A profile as a plain-text table for the terminal."""

from __future__ import annotations

from typing import Any

from agent.profiling.profile import ColumnProfile, Profile

MAX_CELL = 28


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _distinct(column: ColumnProfile) -> str:
    return ("~" if column.unique_count_estimated else "") + f"{column.unique_count:,}"


def _top(column: ColumnProfile) -> str:
    if not column.top_values:
        return "-"
    top = column.top_values[0]
    return f"{_cell(top['value'])} ({top['share']:.1%})"


def render_table(profile: Profile) -> str:
    estimated = " (estimated)" if profile.row_count_estimated else ""
    size = "-" if profile.size_bytes is None else f"{profile.size_bytes:,} bytes"
    lines = [
        f"dataset {profile.dataset}  table {profile.table}  "
        f"profiled {profile.profile_timestamp:%Y-%m-%d %H:%M:%S}Z",
        f"rows {profile.row_count:,}{estimated}  columns {profile.column_count}  size {size}  "
        f"sample {profile.sample}  method {profile.method}  took {profile.duration_seconds:.2f}s",
        f"quality score {profile.quality_score:.3f}",
        "",
    ]
    header = ("COLUMN", "TYPE", "NULLS", "DISTINCT", "MIN", "MEDIAN", "MAX", "MEAN", "TOP VALUE")
    rows: list[tuple[str, ...]] = [header]
    for column in profile.columns:
        stats = column.statistics or {}
        lengths = column.value_length or {}
        low = stats.get("min") if column.statistics else lengths.get("min")
        high = stats.get("max") if column.statistics else lengths.get("max")
        rows.append((
            _cell(column.name), _cell(column.type), f"{column.null_ratio:.1%}", _distinct(column),
            _cell(low), _cell(stats.get("median")), _cell(high),
            _cell(stats.get("mean") if column.statistics else lengths.get("mean")), _top(column),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    lines.append("(string columns show value lengths under MIN / MAX / MEAN; ~ marks estimates)")
    if profile.issues:
        lines += ["", "ISSUES"]
        lines += [f"  [{issue.severity}] {issue.type}: {issue.description}" for issue in profile.issues]
    return "\n".join(lines)
