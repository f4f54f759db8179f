"""freshness on every backend: naive and zone-aware timestamps, DATE columns, stale and fresh,
an empty column. The age is bounded by clock readings taken around the run."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.checks.builtin.freshness import as_utc
from agent.checks.results import Status
from tests.agent.checks.builtin.support import Ran, run_checks
from tests.support.backends import Backend
from tests.support.components import not_applicable

PLUS_FIVE = timezone(timedelta(hours=5))


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def timed_run(backend: Backend, tmp_path: Path, checks: list[dict[str, Any]], **kwargs: Any
                    ) -> tuple[Ran, float, float]:
    """The run and the epoch seconds just before and just after it."""
    before = time.time()
    ran = await run_checks(backend, tmp_path, checks, **kwargs)
    return ran, before, time.time()


def assert_age(observed: Any, newest: datetime, before: float, after: float) -> None:
    """``observed`` is the age of ``newest`` at some instant between ``before`` and ``after``."""
    assert isinstance(observed, float)
    assert before - newest.timestamp() - 1e-3 <= observed <= after - newest.timestamp() + 1e-3


async def test_naive_timestamps_are_utc(backend: Backend, tmp_path: Path) -> None:
    newest = utc_now() - timedelta(hours=3)
    rows = [{"id": i, "ts": (newest - timedelta(days=i)).replace(tzinfo=None)} for i in range(3)]
    checks = [
        {"type": "freshness", "column": "ts", "name": "fresh", "max_age": "4h"},
        {"type": "freshness", "column": "ts", "name": "stale", "max_age": "1h"},
    ]
    ran, before, after = await timed_run(
        backend, tmp_path, checks, columns={"id": sa.Integer(), "ts": sa.DateTime()}, rows=rows
    )
    assert ran["fresh"].status == Status.PASS
    assert ran["stale"].status == Status.FAIL
    assert_age(ran["stale"].outcome.observed_value, newest, before, after)
    assert ran["fresh"].outcome.expected_max == 4 * 3600.0
    assert ran["stale"].outcome.expected_max == 3600.0
    assert ran["stale"].outcome.details["newest"] == newest.isoformat()
    assert ran["stale"].outcome.message == (
        f"data is stale by 2 hours (newest {newest:%Y-%m-%dT%H:%M:%SZ})"
    )
    assert ran["stale"].dimension == "timeliness"
    assert ran.run.freshness_seconds == ran["fresh"].outcome.observed_value


async def test_zone_aware_timestamps(backend: Backend, tmp_path: Path) -> None:
    if backend.name not in {"postgresql", "duckdb"}:
        not_applicable(f"{backend.name} has no zone-aware timestamp type")
    newest = utc_now() - timedelta(minutes=90)
    rows = [
        {"id": 1, "ts": newest.astimezone(PLUS_FIVE)},  # the same instant, written at +05:00
        {"id": 2, "ts": (newest - timedelta(hours=2)).astimezone(PLUS_FIVE)},
    ]
    checks = [
        {"type": "freshness", "column": "ts", "name": "fresh", "max_age": "2h"},
        {"type": "freshness", "column": "ts", "name": "stale", "max_age": "1h"},
    ]
    extra: dict[str, Any] = {}
    if backend.name == "postgresql":  # the server answers in the session's zone, not UTC
        extra["connect_args"] = {"options": "-c TimeZone=Asia/Kolkata"}
    ran, before, after = await timed_run(
        backend, tmp_path, checks, columns={"id": sa.Integer(), "ts": sa.DateTime(timezone=True)},
        rows=rows, **extra,
    )
    assert ran["fresh"].status == Status.PASS
    assert ran["stale"].status == Status.FAIL
    assert_age(ran["fresh"].outcome.observed_value, newest, before, after)
    assert ran["fresh"].outcome.details["newest"] == newest.isoformat()


async def test_date_columns_count_from_midnight_utc(backend: Backend, tmp_path: Path) -> None:
    newest_day = datetime.now(UTC).date() - timedelta(days=3)
    rows = [{"id": i, "day": newest_day - timedelta(days=i)} for i in range(4)]
    checks = [
        {"type": "freshness", "column": "day", "name": "fresh", "max_age": "5d"},
        {"type": "freshness", "column": "day", "name": "stale", "max_age": "1d"},
    ]
    ran, before, after = await timed_run(
        backend, tmp_path, checks, columns={"id": sa.Integer(), "day": sa.Date()}, rows=rows
    )
    midnight = datetime(newest_day.year, newest_day.month, newest_day.day, tzinfo=UTC)
    assert ran["fresh"].status == Status.PASS
    assert ran["stale"].status == Status.FAIL
    assert_age(ran["stale"].outcome.observed_value, midnight, before, after)
    assert ran["stale"].outcome.details["newest"] == midnight.isoformat()


async def test_future_timestamps_count_as_age_zero(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": 1, "ts": (utc_now() + timedelta(hours=1)).replace(tzinfo=None)}]
    checks = [{"type": "freshness", "column": "ts", "max_age": "1m"}]
    ran = await run_checks(
        backend, tmp_path, checks, columns={"id": sa.Integer(), "ts": sa.DateTime()}, rows=rows
    )
    assert ran["freshness_ts"].status == Status.PASS
    assert ran["freshness_ts"].outcome.observed_value == 0.0


async def test_empty_column_fails(backend: Backend, tmp_path: Path) -> None:
    columns = {"id": sa.Integer(), "ts": sa.DateTime()}
    checks = [
        {"type": "freshness", "column": "ts", "name": "critical", "max_age": "1d",
         "severity": "critical"},
        {"type": "freshness", "column": "ts", "name": "info", "max_age": "1d", "severity": "info"},
    ]
    for rows in ([{"id": 1, "ts": None}, {"id": 2, "ts": None}], []):
        ran = await run_checks(backend, tmp_path, checks, columns=columns, rows=rows)
        assert ran["critical"].status == Status.FAIL
        assert ran["info"].status == Status.WARN
        assert ran["critical"].outcome.observed_value is None
        assert ran["critical"].outcome.message == (
            "column ts has no values: the dataset has never loaded"
        )
        assert ran.run.freshness_seconds is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 5, 1, 12, 0), datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        (datetime(2024, 5, 1, 17, 0, tzinfo=PLUS_FIVE), datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        (date(2024, 5, 1), datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01 12:00:00.000000", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        (None, None),
    ],
)
def test_as_utc(value: Any, expected: datetime | None) -> None:
    assert as_utc(value) == expected


def test_as_utc_rejects_numbers() -> None:
    with pytest.raises(TypeError, match="expected a timestamp, got int 5"):
        as_utc(5)
