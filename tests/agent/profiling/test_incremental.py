"""Several increments merged into the stored sketches equal one full profile within sketch error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import datasketches as ds
import numpy as np
import pytest

from agent.config.models import DatasetConfig
from agent.profiling.config import ProfileConfig
from agent.profiling.incremental import decode_watermark, encode_watermark, incremental_profile
from agent.profiling.profile import Profile
from agent.profiling.profiler import profile_dataset
from agent.profiling.reader import ProfilingError
from agent.profiling.store import ProfileStore
from tests.agent.profiling.tables import COLUMNS, create_orders, dataset_for, make_rows
from tests.support.backends import Backend

RANK_ERROR = ds.kll_doubles_sketch.get_normalized_rank_error(200, False)
HLL_ERROR = abs(ds.hll_sketch.get_rel_err(True, True, 12, 2))
SETTINGS = ProfileConfig.model_validate({"incremental": {"column": "created"}})


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
def test_increments_equal_a_full_profile(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend: Backend = request.getfixturevalue(
        "postgres_backend" if backend_name == "postgresql" else "duckdb_backend")
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    dataset = dataset_for(backend, profile=SETTINGS.model_dump())
    create_orders(backend, 6000)
    table = backend.qualified("orders")
    bounds = [6000, 9000, 15000]
    runs = []
    for step, end in enumerate([*bounds, bounds[-1]]):
        if step > 0 and end > bounds[step - 1]:
            _insert(backend, table, bounds[step - 1], end)
        previous = store.latest("orders")
        with backend.engine.connect() as connection:
            run = incremental_profile(connection, "orders", dataset, previous, settings=SETTINGS)
        runs.append(store.save(run.profile, run.sketches))
    assert [p.increments for p in runs] == [1, 2, 3, 4]
    merged = store.latest("orders")
    assert merged is not None
    assert merged.profile.row_count == 15000
    assert decode_watermark(merged.profile.watermark or "") == dt.datetime(2024, 1, 1) + dt.timedelta(hours=14999)
    # The fourth run found no new rows and kept the third's numbers.
    assert runs[3].row_count == runs[2].row_count

    with backend.engine.connect() as connection:
        full = profile_dataset(connection, "orders", dataset, settings=ProfileConfig())
    rows = make_rows(0, 15000)
    amounts = np.sort(np.array([r["amount"] for r in rows if r["amount"] is not None]))
    for name in COLUMNS:
        inc, ref = merged.profile.column(name), full.profile.column(name)
        assert (inc.count, inc.null_count) == (ref.count, ref.null_count), name
        tolerance = HLL_ERROR * max(1, ref.unique_count)
        assert abs(inc.unique_count - ref.unique_count) <= tolerance, name
    inc_stats = merged.profile.column("amount").statistics or {}
    ref_stats = full.profile.column("amount").statistics or {}
    assert inc_stats["min"] == ref_stats["min"] and inc_stats["max"] == ref_stats["max"]
    assert inc_stats["mean"] == pytest.approx(ref_stats["mean"], rel=1e-9)
    assert inc_stats["stddev"] == pytest.approx(ref_stats["stddev"], rel=1e-9)
    for key, rank in (("p25", 0.25), ("median", 0.5), ("p95", 0.95)):
        value = inc_stats[key]
        assert isinstance(value, float)
        true_rank = np.searchsorted(amounts, value, side="right") / amounts.size
        assert abs(true_rank - rank) <= RANK_ERROR, key
    assert merged.profile.column("status").top_values == full.profile.column("status").top_values
    store.close()


def _insert(backend: Backend, table: str, start: int, stop: int) -> None:
    import sqlalchemy as sa

    schema, _, name = table.rpartition(".")
    target = sa.table(name, *(sa.column(c) for c in COLUMNS), schema=schema or None)
    with backend.engine.begin() as connection:
        connection.execute(target.insert(), make_rows(start, stop))


def test_watermarks_keep_their_type() -> None:
    import decimal

    for value in (dt.datetime(2024, 1, 2, 3, 4, 5), dt.date(2024, 1, 2), 42, 1.5, "b",
                  decimal.Decimal("10.25")):
        assert decode_watermark(encode_watermark(value)) == value
    with pytest.raises(ProfilingError, match="watermark"):
        encode_watermark(b"bytes")


def _backend(request: pytest.FixtureRequest, backend_name: str) -> Backend:
    backend: Backend = request.getfixturevalue(
        "postgres_backend" if backend_name == "postgresql" else "duckdb_backend")
    return backend


def _add(backend: Backend, table: str, rows: list[dict[str, object]]) -> None:
    import sqlalchemy as sa

    schema, _, name = table.rpartition(".")
    target = sa.table(name, *(sa.column(c) for c in COLUMNS), schema=schema or None)
    with backend.engine.begin() as connection:
        connection.execute(target.insert(), rows)


def _step(backend: Backend, store: ProfileStore, dataset: DatasetConfig, settings: ProfileConfig,
          now: dt.datetime | None = None) -> Profile:
    previous = store.latest("orders")
    with backend.engine.connect() as connection:
        run = incremental_profile(connection, "orders", dataset, previous, settings=settings, now=now)
    return store.save(run.profile, run.sketches)


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
@pytest.mark.parametrize("null_rows", ["skip", "once"])
def test_null_watermark_rows(
    backend_name: str, null_rows: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend = _backend(request, backend_name)
    settings = ProfileConfig.model_validate(
        {"incremental": {"column": "created", "null_rows": null_rows}})
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    dataset = dataset_for(backend, profile=settings.model_dump())
    create_orders(backend, 1000)
    table = backend.qualified("orders")
    _add(backend, table, [{**row, "created": None} for row in make_rows(1000, 1050)])

    first = _step(backend, store, dataset, settings)
    assert first.extra["watermark_null_rows"] == 50
    issue = next(i for i in first.issues if i.type == "null_watermark")
    assert issue.column == "created" and "50 rows" in issue.description
    # skip: the 50 NULL rows are left out; once: the full read profiles them.
    expected = 1000 if null_rows == "skip" else 1050
    assert first.row_count == expected
    assert first.column("created").null_count == (0 if null_rows == "skip" else 50)

    # An increment reads the 200 new dated rows once; NULL rows are not read again.
    _add(backend, table, make_rows(1050, 1250))
    second = _step(backend, store, dataset, settings)
    assert second.row_count == expected + 200
    assert second.increments == 2
    assert second.extra["watermark_null_rows"] == 50
    assert second.extra["full_read_at"] == first.extra["full_read_at"]
    store.close()


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
def test_full_refresh_every_bounds_updated_row_drift(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Updated rows are counted again by an increment (sketches cannot forget them); the full
    read that full_refresh_every schedules brings the profile back to the table's contents."""
    backend = _backend(request, backend_name)
    settings = ProfileConfig.model_validate(
        {"incremental": {"column": "created", "full_refresh_every": 2}})
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    dataset = dataset_for(backend, profile=settings.model_dump())
    create_orders(backend, 1000)
    table = backend.qualified("orders")
    first = _step(backend, store, dataset, settings)
    assert (first.row_count, first.increments) == (1000, 1)

    # 100 rows are updated: a newer watermark and a new amount.
    later = dt.datetime(2030, 1, 1)
    backend.execute(f"UPDATE {table} SET created = TIMESTAMP '2030-01-01 00:00:00', "
                    "amount = 5000.5 WHERE id < 100")
    second = _step(backend, store, dataset, settings)
    assert (second.row_count, second.increments) == (1100, 2)
    stats = second.column("amount").statistics or {}
    # Rows 1..99 now hold 5000.5 (the table's smallest amount is 101.5), but their old amounts
    # stay in the merged sketches: the mean drifts from the table's.
    with backend.engine.connect() as connection:
        truth = profile_dataset(connection, "orders", dataset, settings=ProfileConfig()).profile
    true_stats = truth.column("amount").statistics or {}
    assert (stats["max"], stats["min"], true_stats["min"]) == (5000.5, 1.5, 101.5)
    assert stats["mean"] != pytest.approx(true_stats["mean"], rel=0.01)

    _add(backend, table, [{**row, "created": later + dt.timedelta(hours=1)}
                          for row in make_rows(1000, 1010)])
    third = _step(backend, store, dataset, settings)
    assert (third.row_count, third.increments) == (1110, 3)

    # Two increments since the full read: the fourth run reads every row again.
    _add(backend, table, [{**row, "created": later + dt.timedelta(hours=2)}
                          for row in make_rows(1010, 1020)])
    fourth = _step(backend, store, dataset, settings)
    assert (fourth.row_count, fourth.increments) == (1020, 1)
    with backend.engine.connect() as connection:
        full = profile_dataset(connection, "orders", dataset, settings=ProfileConfig())
    for name in COLUMNS:
        inc, ref = fourth.column(name), full.profile.column(name)
        assert (inc.count, inc.null_count, inc.unique_count) == (
            ref.count, ref.null_count, ref.unique_count), name
    assert (fourth.column("amount").statistics or {})["mean"] == pytest.approx(
        (full.profile.column("amount").statistics or {})["mean"], rel=1e-9)
    assert fourth.extra["full_read_at"] != first.extra["full_read_at"]
    store.close()


def test_full_refresh_after_a_duration(duckdb_backend: Backend, tmp_path: Path) -> None:
    settings = ProfileConfig.model_validate(
        {"incremental": {"column": "created", "full_refresh_every": "7d"}})
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    dataset = dataset_for(duckdb_backend, profile=settings.model_dump())
    create_orders(duckdb_backend, 500)
    table = duckdb_backend.qualified("orders")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    increments = []
    for step, day in enumerate((0, 3, 6, 8)):
        if step:
            _add(duckdb_backend, table, make_rows(490 + 10 * step, 500 + 10 * step))
        saved = _step(duckdb_backend, store, dataset, settings, now=start + dt.timedelta(days=day))
        increments.append(saved.increments)
    # Day 8: the full read of day 0 is more than 7 days old, so the table is read again.
    assert increments == [1, 2, 3, 1]
    assert saved.row_count == 530 and saved.extra["full_read_at"] == "2026-01-09T00:00:00+00:00"
    store.close()


def test_incremental_settings_validation() -> None:
    from agent.profiling.config import IncrementalConfig

    assert IncrementalConfig(column="c", full_refresh_every="10").refresh_increments == 10
    assert IncrementalConfig(column="c", full_refresh_every="2w").refresh_seconds == 14 * 86400
    for bad in (0, "soon", True, 2.5):
        with pytest.raises(ValueError, match="full_refresh_every"):
            IncrementalConfig.model_validate({"column": "c", "full_refresh_every": bad})
    with pytest.raises(ValueError, match="null_rows"):
        IncrementalConfig.model_validate({"column": "c", "null_rows": "twice"})
