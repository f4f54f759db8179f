"""Incremental profiles: read only the rows past the stored watermark and merge their sketches
into the stored ones.

The watermark is the largest value of ``incremental.column`` read so far; each run reads rows with
``watermark < column <= max(column)`` (the upper bound is fixed before reading, so rows arriving
during the run wait for the next one).

What an increment cannot see, and what bounds it:

- Rows whose watermark column is NULL have no place in the order. ``null_rows: skip`` (default)
  leaves them out and reports how many there were at the last full read (``extra`` and an issue);
  ``null_rows: once`` profiles them at each full read. Either way NULL rows added between full
  reads are missed.
- An updated row is read again when its watermark moves, and HLL, KLL and frequent-items
  sketches cannot take its old values back out: its counts are doubled and its old values
  stay in the distributions. ``full_refresh_every`` (a number of increments, or the age of the
  last full read such as ``7d``) replaces the merged sketches with a full read, bounding that
  drift. On an append-only table with a strictly increasing column nothing drifts.
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
from agent.profiling.config import IncrementalConfig, ProfileConfig
from agent.profiling.profile import Issue, Profile
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


FULL_READ_AT = "full_read_at"  # Profile.extra: when the sketches were last rebuilt from every row
NULL_WATERMARKS = "watermark_null_rows"  # Profile.extra: NULL-watermark rows at that full read


def refresh_due(previous: StoredProfile, settings: IncrementalConfig, now: dt.datetime) -> bool:
    """Whether ``full_refresh_every`` asks for a full read instead of another increment."""
    every = settings.refresh_increments
    if every is not None and previous.profile.increments - 1 >= every:
        return True
    max_age = settings.refresh_seconds
    if max_age is None:
        return False
    read_at = previous.profile.extra.get(FULL_READ_AT)
    if read_at is None:  # stored before full reads were dated: rebuild once to date one
        return True
    return (now - dt.datetime.fromisoformat(read_at)).total_seconds() >= max_age


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
    if previous is not None and refresh_due(previous, settings.incremental, now):
        previous = None
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
        upto: sa.ColumnElement[bool] = column <= high
        if previous is None and settings.incremental.null_rows == "once":
            upto = sa.or_(upto, column.is_(None))
        conditions.append(upto)
    increment = profile_dataset(connection, name, dataset, settings=settings, progress=progress,
                                now=now, conditions=conditions, sample=FULL)
    watermark = encode_watermark(high) if high is not None else None
    if previous is None:
        nulls = _null_watermarks(connection, source, settings.incremental.column, dataset.where)
        return replace(increment, profile=_full_read(
            increment.profile, watermark, now, nulls, settings.incremental))
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
    carried = {key: previous.profile.extra[key] for key in (FULL_READ_AT, NULL_WATERMARKS)
               if key in previous.profile.extra}
    profile = replace(profile, watermark=watermark, increments=previous.profile.increments + 1,
                      duration_seconds=increment.profile.duration_seconds,
                      extra={**profile.extra, **carried},
                      issues=[*profile.issues, *_null_issue(carried.get(NULL_WATERMARKS),
                                                             settings.incremental)])
    return ProfileRun(profile, merged, increment.columns)


def _null_watermarks(
    connection: Connection, source: sa.TableClause, column: str, where: str | None
) -> int:
    """Rows of the (filtered) table whose watermark column is NULL."""
    statement = sa.select(sa.func.count()).select_from(source).where(source.c[column].is_(None))
    if where:
        statement = statement.where(sa.text(where))
    return int(connection.execute(statement).scalar() or 0)


def _full_read(
    profile: Profile, watermark: str | None, now: dt.datetime, nulls: int,
    settings: IncrementalConfig,
) -> Profile:
    """A full read's profile, dated and with its NULL-watermark rows reported."""
    return replace(
        profile, watermark=watermark, increments=1,
        extra={**profile.extra, FULL_READ_AT: now.isoformat(), NULL_WATERMARKS: nulls},
        issues=[*profile.issues, *_null_issue(nulls, settings)],
    )


def _null_issue(nulls: int | None, settings: IncrementalConfig) -> list[Issue]:
    if not nulls:
        return []
    if settings.null_rows == "once":
        text = (f"{nulls} rows with a NULL {settings.column} were profiled at the last full read; "
                "those added since are not")
    else:
        text = (f"{nulls} rows with a NULL {settings.column} are not in the incremental profile "
                "(null_rows: once reads them at each full read)")
    return [Issue(type="null_watermark", severity="low", description=text, column=settings.column)]


def _unchanged(previous: StoredProfile, now: dt.datetime) -> ProfileRun:
    profile = replace(previous.profile, profile_timestamp=now, profile_id=None,
                      increments=previous.profile.increments + 1, duration_seconds=0.0)
    return ProfileRun(profile, previous.sketches, [])
