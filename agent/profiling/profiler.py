"""Profiling one dataset: read (a sample of) its rows in batches, sketch every column, build the
Profile. Runs on a warehouse connection (``Warehouse.run`` / ``run_sync``)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.config.models import DatasetConfig
from agent.profiling import catalog
from agent.profiling.config import ProfileConfig
from agent.profiling.exact_distinct import ExactDistinct
from agent.profiling.profile import ColumnProfile, Profile, column_profile, find_issues, quality_score
from agent.profiling.progress import Progress
from agent.profiling.reader import (
    ColumnInfo,
    describe_columns,
    select_columns,
    stream_batches,
    table_clause,
)
from agent.profiling.sampling import FULL, SamplePlan, plan_sample, scale_factor
from agent.sketches import ColumnSketch

log = logging.getLogger(__name__)
ProgressFactory = Callable[[str, int | None], Progress]


@dataclass(frozen=True)
class ProfileRun:
    """A profile with the sketches it was built from (the ones to store and merge)."""

    profile: Profile
    sketches: dict[str, ColumnSketch]
    columns: list[ColumnInfo] = field(default_factory=list)


def table_name(dataset: DatasetConfig) -> str:
    schema, table = dataset.schema_and_table()
    return f"{schema}.{table}" if schema else table


def profile_dataset(
    connection: Connection,
    name: str,
    dataset: DatasetConfig,
    *,
    settings: ProfileConfig | None = None,
    progress: ProgressFactory | None = None,
    now: dt.datetime | None = None,
    conditions: list[sa.ColumnElement[bool]] | None = None,
    sample: SamplePlan | None = None,
) -> ProfileRun:
    """Profile ``dataset`` on ``connection`` (full, or sampled as ``settings`` ask)."""
    settings = settings or dataset.profile or ProfileConfig()
    started = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    schema, table = dataset.schema_and_table()
    columns = describe_columns(connection, schema, table, settings.columns)
    source = table_clause(schema, table, [c.name for c in columns])
    dialect = connection.dialect.name
    total: int | None = None
    if sample is None:
        if settings.sample_rows is not None:
            total = catalog.count_rows(connection, source, dataset.where)
        sample = plan_sample(settings, dialect, total)
    statement = select_columns(source, columns, dialect, sample, where=dataset.where,
                               conditions=conditions or [])
    sketches = {c.name: ColumnSketch(c.name, c.kind) for c in columns}
    expected = _expected_rows(connection, schema, table, sample, total)
    bar = progress(f"profiling {name}", expected) if progress is not None else None
    exact = ExactDistinct() if sample.sampled else None
    rows = 0
    for batch in stream_batches(connection, statement, columns, settings.batch_rows):
        size = 0
        for column, values in batch.items():
            sketches[column].update(values)
            if exact is not None:
                exact.update(column, values)
            size = len(values)
        rows += size
        if bar is not None:
            bar.advance(size)
    if bar is not None:
        bar.finish()
    scale = scale_factor(sample, rows, total)
    profile = build_profile(
        name, dataset, columns, sketches, now=now, scale=scale, sample=sample,
        size=catalog.size_bytes(connection, schema, table), top_k=settings.top_k,
        rows=round(rows * scale) if sample.sampled else rows,
        sample_distinct={c.name: exact.count(c.name) for c in columns} if exact is not None else None,
    )
    return ProfileRun(replace(profile, duration_seconds=time.perf_counter() - started), sketches, columns)


def _expected_rows(
    connection: Connection, schema: str | None, table: str, sample: SamplePlan, total: int | None
) -> int | None:
    try:
        estimate = total if total is not None else catalog.estimated_rows(connection, schema, table)
    except sa.exc.DBAPIError:
        return None
    if estimate is None:
        return None
    if sample.rows is not None:
        return min(sample.rows, estimate)
    if sample.fraction is not None:
        return round(estimate * sample.fraction)
    return estimate


def build_profile(
    name: str,
    dataset: DatasetConfig,
    columns: list[ColumnInfo],
    sketches: dict[str, ColumnSketch],
    *,
    now: dt.datetime,
    rows: int,
    scale: float = 1.0,
    sample: SamplePlan = FULL,
    size: int | None = None,
    top_k: int = 10,
    method: str = "sketch",
    extra: dict[str, Any] | None = None,
    sample_distinct: dict[str, int | None] | None = None,
) -> Profile:
    distinct = sample_distinct or {}
    profiles: list[ColumnProfile] = [
        column_profile(sketches[c.name], c.sql_type, c.nullable, scale=scale, top_k=top_k,
                       sample_distinct=distinct.get(c.name))
        for c in columns
    ]
    issues = find_issues(rows, profiles)
    return Profile(
        dataset=name,
        table=table_name(dataset),
        profile_timestamp=now,
        row_count=rows,
        row_count_estimated=sample.sampled,
        column_count=len(columns),
        size_bytes=size,
        sample=sample.describe(),
        columns=profiles,
        quality_score=quality_score(rows, profiles, issues),
        issues=issues,
        method=method,
        extra=extra or {},
    )
