"""Profiles on every backend against a table whose contents are known exactly."""

from __future__ import annotations

import datetime as dt

import datasketches as ds
import numpy as np
import pytest

from agent.profiling.config import ProfileConfig
from agent.profiling.profiler import profile_dataset
from agent.profiling.reader import ProfilingError
from tests.agent.profiling.tables import create_orders, dataset_for
from tests.support.backends import Backend

HLL_ERROR = abs(ds.hll_sketch.get_rel_err(True, True, 12, 2))


def test_full_profile_matches_the_data(backend: Backend) -> None:
    rows = create_orders(backend, 3000)
    with backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset_for(backend))
    profile = run.profile
    assert profile.row_count == 3000 and not profile.row_count_estimated
    assert profile.column_count == 7 and profile.sample == "all rows"
    by_name = {column.name: column for column in profile.columns}
    assert [c.name for c in profile.columns] == list(rows[0])

    ids = by_name["id"]
    assert ids.kind == "integer" and ids.null_count == 0
    assert abs(ids.unique_count - 3000) / 3000 <= HLL_ERROR and ids.unique_count_estimated
    assert ids.statistics is not None
    assert ids.statistics["min"] == 0 and ids.statistics["max"] == 2999
    assert ids.statistics["mean"] == pytest.approx(1499.5)
    assert ids.top_values == []  # nothing repeats

    amounts = np.array([r["amount"] for r in rows if r["amount"] is not None])
    amount = by_name["amount"]
    assert amount.null_count == 300 and amount.null_ratio == pytest.approx(0.1)
    assert amount.statistics is not None
    assert amount.statistics["stddev"] == pytest.approx(amounts.std(ddof=1), rel=1e-9)
    assert amount.histogram is not None and sum(amount.histogram["counts"]) == pytest.approx(2700, abs=2)
    assert len(amount.histogram["counts"]) == 20

    status = by_name["status"]
    assert status.kind == "string" and status.unique_count == 4 and not status.unique_count_estimated
    assert {t["value"] for t in status.top_values} == {"new", "paid", "shipped", "cancelled"}
    assert all(t["count"] == 750 for t in status.top_values)
    assert status.value_length == {"min": 3, "max": 9, "mean": pytest.approx((3 + 4 + 7 + 9) / 4)}
    assert status.pattern_distribution is not None
    assert status.pattern_distribution["patterns"][0]["pattern"] in {"aaa", "aaaa", "aaaaaaa", "aaaaaaaaa"}

    email = by_name["email"]
    assert email.pattern_distribution is not None
    assert email.pattern_distribution["email_ratio"] == 1.0
    domains = {d["domain"]: d["share"] for d in email.pattern_distribution["email_domains"]}
    assert domains == {"example.com": pytest.approx(0.75), "mail.org": pytest.approx(0.25)}

    created = by_name["created"]
    assert created.kind == "temporal" and created.statistics is not None
    assert created.statistics["min"] == "2024-01-01T00:00:00"
    last = dt.datetime(2024, 1, 1) + dt.timedelta(hours=2999)
    assert created.statistics["max"] == last.isoformat()
    assert created.histogram is not None and created.histogram["granularity"] == "month"
    assert created.histogram["labels"][0] == "2024-01"

    issues = {(issue.type, issue.column) for issue in profile.issues}
    assert ("all_null", "empty") in issues and ("constant", "constant") in issues
    assert not any(column in {"id", "amount", "status"} for _, column in issues)
    expected_completeness = 1 - (0.1 + 1.0) / 7
    assert profile.quality_score < expected_completeness
    assert profile.quality_score == pytest.approx(expected_completeness - (0.5 + 0.05) / 7)


def test_selected_columns_and_unknown_ones(duckdb_backend: Backend) -> None:
    create_orders(duckdb_backend, 50)
    settings = ProfileConfig(columns=["status", "id"])
    with duckdb_backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset_for(duckdb_backend), settings=settings)
        assert [c.name for c in run.profile.columns] == ["status", "id"]
        with pytest.raises(ProfilingError, match=r"nope.*not in table"):
            profile_dataset(connection, "orders", dataset_for(duckdb_backend),
                            settings=ProfileConfig(columns=["nope"]))
        with pytest.raises(ProfilingError, match="does not exist"):
            profile_dataset(connection, "missing", dataset_for(duckdb_backend, "missing"))


def test_where_filter_applies(postgres_backend: Backend) -> None:
    create_orders(postgres_backend, 400)
    dataset = dataset_for(postgres_backend, where="status = 'paid'")
    with postgres_backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset)
    assert run.profile.row_count == 100
    assert run.profile.column("status").unique_count == 1
    assert run.profile.size_bytes is not None and run.profile.size_bytes > 0


def test_empty_table_scores_zero(duckdb_backend: Backend) -> None:
    create_orders(duckdb_backend, 0)
    with duckdb_backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset_for(duckdb_backend))
    assert run.profile.row_count == 0 and run.profile.quality_score == 0.0
    assert [issue.type for issue in run.profile.issues] == ["empty_table"]
