"""Incremental profiles: read only the rows past the stored watermark and merge their sketches
into the stored ones.

The watermark is the largest value of ``incremental.column`` read so far; each run reads rows with
``watermark < column <= max(column)`` (the upper bound is fixed before reading, so rows arriving
during the run wait for the next one). Rows whose watermark column is NULL are never read, and an
updated row is counted again: use an append-only table or a strictly increasing column.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.config.models import DatasetConfig
from agent.profiling.config import ProfileConfig
from agent.profiling.profiler import ProfileRun, ProgressFactory, build_profile, profile_dataset
from agent.profiling.reader import ProfilingError, table_clause
from agent.profiling.sampling import FULL
from agent.profiling.store import StoredProfile


def encode_watermark(value: Any) -> str:
    """A watermark as text that keeps its type (JSON with a type tag)."""
    if isinstance(value, dt.datetime):
        return json.dumps({"datetime": value.isoformat()})
    if isinstance(value, dt.date):
        return json.dumps({"date": value.isoformat()})
    if isinstance(value, Decimal):
        return json.dumps({"decimal": str(value)})
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProfilingError(
            f"incremental.column: values of type {type(value).__name__} cannot be a watermark; "
            "use a timestamp, date, number or text column"
        )
    return json.dumps({"value": value})


def decode_watermark(text: str) -> Any:
    data = json.loads(text)
    if "datetime" in data:
        return dt.datetime.fromisoformat(data["datetime"])
    if "date" in data:
        return dt.date.fromisoformat(data["date"])
    if "decimal" in data:
        return Decimal(data["decimal"])
    return data["value"]


def incremental_profile(
    connection: Connection,
    name: str,
    dataset: DatasetConfig,
    previous: StoredProfile | None,
    *,
    settings: ProfileConfig | None = None,
    progress: ProgressFactory | None = None,
    now: dt.datetime | None = None,
) -> ProfileRun:
    """The previous profile plus the rows past its watermark (a full read when there is none)."""
    settings = settings or dataset.profile or ProfileConfig()
    if settings.incremental is None:
        raise ProfilingError(f"dataset {name!r}: profile.incremental.column is not configured")
    now = now or dt.datetime.now(dt.UTC)
    schema, table = dataset.schema_and_table()
    column: sa.ColumnClause[Any] = sa.column(settings.incremental.column)
    source = table_clause(schema, table, [settings.incremental.column])
    old = None
    if previous is not None and previous.profile.watermark is not None:
        old = decode_watermark(previous.profile.watermark)
    newest = sa.select(sa.func.max(source.c[settings.incremental.column])).select_from(source)
    if old is not None:
        newest = newest.where(column > old)
    if dataset.where:
        newest = newest.where(sa.text(dataset.where))
    high = connection.execute(newest).scalar()
    if high is None and previous is not None:
        return _unchanged(previous, now)
    conditions: list[sa.ColumnElement[bool]] = []
    if old is not None:
        conditions.append(column > old)
    if high is not None:
        conditions.append(column <= high)
    increment = profile_dataset(connection, name, dataset, settings=settings, progress=progress,
                                now=now, conditions=conditions, sample=FULL)
    watermark = encode_watermark(high) if high is not None else None
    if previous is None:
        return replace(increment, profile=replace(increment.profile, watermark=watermark))
    merged = dict(increment.sketches)
    for column_name, sketch in increment.sketches.items():
        stored = previous.sketches.get(column_name)
        if stored is None:
            continue
        if stored.kind != sketch.kind:
            raise ProfilingError(
                f"dataset {name!r}: column {column_name!r} changed kind ({stored.kind} -> "
                f"{sketch.kind}); run a full profile with `dq-agent profile --full`"
            )
        stored.merge(sketch)
        merged[column_name] = stored
    first = next(iter(merged.values()), None)
    rows = first.count if first is not None else 0
    profile = build_profile(
        name, dataset, increment.columns, merged, now=now, rows=rows,
        size=increment.profile.size_bytes, top_k=settings.top_k,
    )
    profile = replace(profile, watermark=watermark, increments=previous.profile.increments + 1,
                      duration_seconds=increment.profile.duration_seconds)
    return ProfileRun(profile, merged, increment.columns)


def _unchanged(previous: StoredProfile, now: dt.datetime) -> ProfileRun:
    profile = replace(previous.profile, profile_timestamp=now, profile_id=None,
                      increments=previous.profile.increments + 1, duration_seconds=0.0)
    return ProfileRun(profile, previous.sketches, [])
