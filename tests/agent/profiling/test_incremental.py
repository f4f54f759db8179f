"""Several increments merged into the stored sketches equal one full profile within sketch error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import datasketches as ds
import numpy as np
import pytest

from agent.profiling.config import ProfileConfig
from agent.profiling.incremental import decode_watermark, encode_watermark, incremental_profile
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
