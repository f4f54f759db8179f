"""DuckDB pushdown profiles, progress output, and the driver-value conversions of the reader."""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal

import numpy as np
import pytest

from agent.profiling.config import ProfileConfig
from agent.profiling.profiler import profile_dataset
from agent.profiling.progress import Progress
from agent.profiling.pushdown import pushdown_profile
from agent.profiling.reader import kind_of_name, to_array
from tests.agent.profiling.tables import create_orders, dataset_for
from tests.support.backends import Backend


def test_pushdown_agrees_with_sketches(duckdb_backend: Backend) -> None:
    create_orders(duckdb_backend, 5000)
    dataset = dataset_for(duckdb_backend)
    with duckdb_backend.engine.connect() as connection:
        pushed = pushdown_profile(connection, "orders", dataset, settings=ProfileConfig(pushdown=True))
        sketched = profile_dataset(connection, "orders", dataset)
    assert pushed.profile.method == "pushdown" and pushed.sketches == {}
    assert pushed.profile.row_count == 5000
    # DuckDB's approx_count_distinct is coarser than our lg_k=12 HLL: measured within 10% here.
    truth = {"id": 5000, "amount": 900, "status": 4, "created": 5000, "empty": 0}
    for name, distinct in truth.items():
        a, b = pushed.profile.column(name), sketched.profile.column(name)
        assert (a.null_count, a.count) == (b.null_count, b.count), name
        assert abs(a.unique_count - distinct) <= 0.1 * distinct, name
    amount_a = pushed.profile.column("amount").statistics or {}
    amount_b = sketched.profile.column("amount").statistics or {}
    assert amount_a["mean"] == pytest.approx(amount_b["mean"], rel=1e-9)
    assert amount_a["min"] == amount_b["min"] and amount_a["max"] == amount_b["max"]
    assert amount_a["median"] == pytest.approx(amount_b["median"], rel=0.03)
    created = pushed.profile.column("created").statistics or {}
    assert created["min"] == "2024-01-01T00:00:00"
    assert pushed.profile.column("status").value_length == {"min": 3, "max": 9, "mean": pytest.approx(5.75)}
    assert {i.type for i in pushed.profile.issues} == {"all_null", "constant"}


def test_progress_bar_on_a_terminal_and_lines_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    bar = Progress("profiling orders", 1000, stream=stream, tty=True, redraw_every=0.0)
    bar.advance(250)
    bar.advance(250)
    bar.finish()
    text = stream.getvalue()
    assert "\r[#######" in text and "500 of ~1,000 rows (50%)" in text
    assert text.endswith("profiling orders: 500 rows in " + text.rsplit(" in ", 1)[1])
    with caplog.at_level(logging.INFO, logger="agent.profiling.progress"):
        silent = io.StringIO()
        quiet = Progress("profiling orders", None, stream=silent, tty=False, log_every=0.0)
        quiet.advance(10)
        quiet.finish()
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("profiling orders: 10 rows, ") and "rows in" in messages[-1]
    assert silent.getvalue() == ""


def test_to_array_conversions() -> None:
    ints = to_array((1, 2, None), "integer")
    assert ints.dtype == np.float64 and np.isnan(ints[2])
    assert to_array((1, 2, 3), "integer").dtype == np.int64
    assert to_array((2**62, None), "integer").dtype == object  # beyond 2^53: keep exact ints
    assert to_array((Decimal("1.5"), None), "float").tolist()[0] == 1.5
    assert to_array(("1.5",), "float").dtype == object  # text is not silently parsed
    stamps = to_array((dt.datetime(2024, 1, 1), None, dt.date(2024, 1, 2)), "temporal")
    assert stamps.dtype == np.dtype("datetime64[us]") and np.isnat(stamps[1])
    aware = to_array((dt.datetime(2024, 1, 1, tzinfo=dt.UTC),), "temporal")
    assert aware.dtype == object
    strings = to_array(("a", None), "string")
    assert strings.dtype == object and strings.tolist() == ["a", None]


def test_type_names() -> None:
    assert kind_of_name("DECIMAL(10,2)") == ("float", False)
    assert kind_of_name("DECIMAL(18,0)") == ("integer", False)
    assert kind_of_name("TIMESTAMP WITH TIME ZONE") == ("temporal", False)
    assert kind_of_name("VARCHAR") == ("string", False)
    assert kind_of_name("UUID") == ("string", True)
    assert kind_of_name("HUGEINT") == ("float", False)
