"""Profiles computed by the warehouse's own approximate functions (``profile.pushdown: true``).

DuckDB: one SELECT with ``approx_count_distinct`` (HyperLogLog) and ``approx_quantile`` (T-Digest)
per column, plus exact counts, min, max, mean and standard deviation. Nothing leaves the
warehouse but that one row, so there are no sketches to store or merge, and no histograms, top
values or patterns (the profile's ``method`` is ``pushdown``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.config.models import DatasetConfig
from agent.profiling import catalog
from agent.profiling.config import ProfileConfig
from agent.profiling.profile import ColumnProfile, Profile, find_issues, quality_score
from agent.profiling.profiler import ProfileRun, table_name
from agent.profiling.reader import ColumnInfo, describe_columns, table_clause
from agent.sketches.temporal import from_epoch_seconds

QUANTILES: dict[str, float] = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}


def _expressions(info: ColumnInfo, column: sa.ColumnElement[Any], index: int) -> list[Any]:
    label = f"c{index}_"
    exprs: list[Any] = [
        sa.func.count(column).label(label + "non_null"),
        sa.func.approx_count_distinct(column).label(label + "distinct"),
    ]
    if info.kind == "string" or info.cast_to_text:
        text = sa.cast(column, sa.Text)
        length = sa.func.length(text)
        exprs += [sa.func.min(length).label(label + "len_min"), sa.func.max(length).label(label + "len_max"),
                  sa.func.avg(length).label(label + "len_mean")]
        return exprs
    number: sa.ColumnElement[Any]
    number = sa.func.epoch(column) if info.kind == "temporal" else sa.cast(column, sa.Double)
    exprs += [
        sa.func.min(number).label(label + "min"), sa.func.max(number).label(label + "max"),
        sa.func.avg(number).label(label + "mean"), sa.func.stddev_samp(number).label(label + "stddev"),
    ]
    exprs += [
        sa.func.approx_quantile(number, sa.literal_column(repr(rank))).label(label + name)
        for name, rank in QUANTILES.items()  # constants: DuckDB cannot type a bound rank here
    ]
    return exprs


def pushdown_profile(
    connection: Connection, name: str, dataset: DatasetConfig, *, settings: ProfileConfig,
    now: dt.datetime | None = None,
) -> ProfileRun:
    if connection.dialect.name != "duckdb":
        raise ValueError(f"profile.pushdown: not available on {connection.dialect.name}; use DuckDB")
    started = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    schema, table = dataset.schema_and_table()
    columns = describe_columns(connection, schema, table, settings.columns)
    source = table_clause(schema, table, [c.name for c in columns])
    selected: list[Any] = [sa.func.count().label("rows")]
    for index, info in enumerate(columns):
        selected += _expressions(info, source.c[info.name], index)
    query = sa.select(*selected).select_from(source)
    if dataset.where:
        query = query.where(sa.text(dataset.where))
    row = connection.execute(query).mappings().one()
    rows = int(row["rows"])
    profiles = [_column(info, row, index, rows) for index, info in enumerate(columns)]
    issues = find_issues(rows, profiles)
    profile = Profile(
        dataset=name, table=table_name(dataset), profile_timestamp=now, row_count=rows,
        row_count_estimated=False, column_count=len(columns),
        size_bytes=catalog.size_bytes(connection, schema, table), sample="all rows",
        columns=profiles, quality_score=quality_score(rows, profiles, issues), issues=issues,
        method="pushdown", duration_seconds=time.perf_counter() - started,
    )
    return ProfileRun(profile, {}, columns)


def _column(info: ColumnInfo, row: Any, index: int, rows: int) -> ColumnProfile:
    label = f"c{index}_"
    non_null = int(row[label + "non_null"] or 0)
    distinct = min(int(row[label + "distinct"] or 0), non_null)
    statistics: dict[str, float | str | None] | None = None
    lengths: dict[str, float | int | None] | None = None
    if info.kind == "string" or info.cast_to_text:
        lengths = {"min": _int(row[label + "len_min"]), "max": _int(row[label + "len_max"]),
                   "mean": _float(row[label + "len_mean"])}
    else:
        statistics = {key: _float(row[label + key]) for key in ("min", "max", "mean", "stddev", *QUANTILES)}
        if info.kind == "temporal":
            for key in ("min", "max", "mean", *QUANTILES):
                value = statistics[key]
                if isinstance(value, float):
                    statistics[key] = str(from_epoch_seconds(value).astype("datetime64[s]"))
    return ColumnProfile(
        name=info.name, type=info.sql_type, kind=info.kind, nullable=info.nullable, count=rows,
        null_count=rows - non_null, null_ratio=(rows - non_null) / rows if rows else 0.0,
        unique_count=distinct, unique_count_estimated=True,
        unique_ratio=min(1.0, distinct / non_null) if non_null else None,
        statistics=statistics, histogram=None, top_values=[], value_length=lengths,
        pattern_distribution=None,
    )


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
