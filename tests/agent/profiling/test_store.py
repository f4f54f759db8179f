"""Profiles and sketches survive the history store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from agent.profiling.profiler import profile_dataset
from agent.profiling.store import ProfileStore
from agent.sketches import ColumnSketch
from agent.store import schema
from agent.store.migrations import LATEST_VERSION, current_version
from tests.agent.profiling.tables import create_orders, dataset_for
from tests.support.backends import Backend


def test_round_trip_latest_and_pin(duckdb_backend: Backend, tmp_path: Path) -> None:
    create_orders(duckdb_backend, 500)
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    with store.engine.connect() as connection:
        assert current_version(connection) == LATEST_VERSION >= 3
    saved = []
    for hour in range(3):
        with duckdb_backend.engine.connect() as connection:
            run = profile_dataset(connection, "orders", dataset_for(duckdb_backend),
                                  now=dt.datetime(2024, 5, 1, hour, tzinfo=dt.UTC))
        saved.append(store.save(run.profile, run.sketches))
    assert all(p.profile_id for p in saved) and len({p.profile_id for p in saved}) == 3

    latest = store.latest("orders")
    assert latest is not None and latest.profile.profile_id == saved[-1].profile_id
    assert latest.profile == saved[-1]
    for name in ("amount", "status"):
        assert latest.sketches[name].summary() == run.sketches[name].summary()
        assert latest.sketches[name].components()["hll"] == run.sketches[name].components()["hll"]
    assert set(latest.sketches) == {c.name for c in run.profile.columns}

    assert [p.profile.profile_id for p in store.recent("orders", 2)] == [
        saved[2].profile_id, saved[1].profile_id]
    assert store.pinned(dataset="orders") is None
    store.pin(saved[0].profile_id or "")
    pinned = store.pinned(table="orders")
    assert pinned is not None and pinned.profile.profile_id == saved[0].profile_id
    store.pin(saved[1].profile_id or "")
    with store.engine.connect() as connection:
        flags = connection.execute(sa.select(schema.profiles.c.pinned)).scalars().all()
    assert sorted(flags) == [False, False, True]

    # Retention: the pinned profile and the newest stay, the others older than the cutoff go.
    cutoff = dt.datetime(2024, 5, 1, 2, tzinfo=dt.UTC).timestamp() + 1
    assert store.prune(cutoff) == 1
    left = {p.profile.profile_id for p in store.recent("orders", 10)}
    assert left == {saved[1].profile_id, saved[2].profile_id}
    with store.engine.connect() as connection:
        owners = set(connection.execute(sa.select(schema.profile_sketches.c.profile_id)).scalars())
    assert owners == left
    assert store.prune(cutoff) == 0
    store.close()


def test_sketch_blobs_are_datasketches_bytes(postgres_backend: Backend, tmp_path: Path) -> None:
    """Stored on PostgreSQL as a history store too; the HLL part reads with plain DataSketches."""
    import datasketches as ds

    create_orders(postgres_backend, 300)
    url = f"{postgres_backend.url}?options=-csearch_path%3D{postgres_backend.schema}"
    store = ProfileStore.open(url)
    try:
        with postgres_backend.engine.connect() as connection:
            run = profile_dataset(connection, "orders", dataset_for(postgres_backend))
        saved = store.save(run.profile, run.sketches)
        loaded = store.get(saved.profile_id or "")
        assert loaded is not None
        sketch: ColumnSketch = loaded.sketches["id"]
        raw = ds.hll_sketch.deserialize(sketch.components()["hll"])
        assert abs(raw.get_estimate() - 300) < 10
    finally:
        with store.engine.begin() as connection:
            connection.execute(schema.profile_sketches.delete().where(
                schema.profile_sketches.c.profile_id == saved.profile_id))
            connection.execute(schema.profiles.delete().where(
                schema.profiles.c.profile_id == saved.profile_id))
        store.close()
