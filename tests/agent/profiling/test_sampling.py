"""Sampling on every backend: TABLESAMPLE where the dialect has it, the random() fallback
elsewhere; counts extrapolated and marked estimated."""

from __future__ import annotations

import math

import pytest

from agent.profiling.config import ProfileConfig, parse_sample
from agent.profiling.profiler import profile_dataset
from agent.profiling.sampling import SamplePlan, extrapolate_distinct, plan_sample
from tests.agent.profiling.tables import create_orders, dataset_for
from tests.support.backends import Backend

ROWS = 20_000


def _within_binomial(read: int, total: int, fraction: float, sigmas: float = 6.0) -> bool:
    expected = total * fraction
    return abs(read - expected) <= sigmas * math.sqrt(expected * (1 - fraction))


def test_fraction_sample_on_every_backend(backend: Backend) -> None:
    create_orders(backend, ROWS)
    settings = ProfileConfig.model_validate({"sample": "10%"})
    with backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset_for(backend), settings=settings)
    read = run.sketches["id"].count
    assert _within_binomial(read, ROWS, 0.1), read
    profile = run.profile
    assert profile.row_count_estimated and profile.sample == "10% (bernoulli)"
    assert profile.row_count == pytest.approx(read * 10, abs=1)
    amount = profile.column("amount")
    assert amount.counts_estimated and amount.unique_count_estimated
    assert amount.null_ratio == pytest.approx(0.1, abs=0.03)
    status = profile.column("status")
    assert status.unique_count == 4  # every value seen: nothing to extrapolate
    assert all(t["count"] == pytest.approx(ROWS / 4, rel=0.2) for t in status.top_values)
    ids = profile.column("id")
    assert ids.unique_count == pytest.approx(ROWS, rel=0.1)  # a key scales with the table


def test_sample_rows(duckdb_backend: Backend, postgres_backend: Backend) -> None:
    for backend in (duckdb_backend, postgres_backend):
        create_orders(backend, ROWS)
        with backend.engine.connect() as connection:
            run = profile_dataset(connection, "orders", dataset_for(backend),
                                  settings=ProfileConfig(sample_rows=1000))
        read = run.sketches["id"].count
        if backend.name == "duckdb":
            assert read == 1000 and run.profile.sample == "1000 rows (reservoir)"
        else:
            assert _within_binomial(read, ROWS, 1000 / ROWS)
        assert run.profile.row_count == ROWS  # counted exactly to size the sample
        assert run.profile.row_count_estimated


def test_postgres_system_sampling_reads_pages(postgres_backend: Backend) -> None:
    create_orders(postgres_backend, ROWS)
    settings = ProfileConfig.model_validate({"sample": "20%", "sample_method": "system"})
    with postgres_backend.engine.connect() as connection:
        run = profile_dataset(connection, "orders", dataset_for(postgres_backend), settings=settings)
    assert run.profile.sample == "20% (system)"
    assert 0 < run.sketches["id"].count < ROWS


def test_plans_and_parsing() -> None:
    assert parse_sample("1%") == 0.01 and parse_sample("0.5 %") == 0.005 and parse_sample(0.2) == 0.2
    for bad in ("0%", "150%", "ten", True):
        with pytest.raises(ValueError, match="sample"):
            parse_sample(bad)
    with pytest.raises(ValueError, match="not both"):
        ProfileConfig.model_validate({"sample": "1%", "sample_rows": 10})
    with pytest.raises(ValueError, match="incremental"):
        ProfileConfig.model_validate({"sample": "1%", "incremental": {"column": "created"}})
    assert not plan_sample(None, "postgresql", None).sampled
    assert plan_sample(ProfileConfig(sample_rows=10), "sqlite", 5) == SamplePlan()
    assert plan_sample(ProfileConfig(sample_rows=10), "sqlite", 1000).fraction == 0.01


def test_distinct_extrapolation_cases() -> None:
    # Keys: every sampled value distinct -> scales with the table.
    assert extrapolate_distinct(1000, 1000, 100_000) == 100_000
    # Low cardinality: all values already seen.
    assert extrapolate_distinct(20, 1000, 100_000) == pytest.approx(20, abs=0.5)
    # 10,000 values, 100 copies each, 1% Bernoulli sample: ~63.4% of them are seen.
    seen = 10_000 * (1 - 0.99**100)
    assert extrapolate_distinct(seen, 10_000, 1_000_000) == pytest.approx(10_000, rel=0.001)


def test_exact_sample_distinct_counts() -> None:
    import datetime as dt

    import numpy as np

    from agent.profiling.exact_distinct import ExactDistinct

    exact = ExactDistinct(limit=5)
    exact.update("f", np.array([1.0, np.nan, 1.0, 2.0]))
    exact.update("t", np.array([dt.datetime(2024, 1, 1), None], dtype="datetime64[us]"))
    exact.update("s", np.array(["a", None, "b", "a"], dtype=object))
    exact.update("many", np.arange(6))
    assert (exact.count("f"), exact.count("t"), exact.count("s")) == (2, 1, 2)
    assert exact.count("many") is None  # past the limit: the sketch's estimate is used


def test_sampled_repeated_values_use_the_exact_sample_count(duckdb_backend: Backend) -> None:
    """2,000 values 10 times each: a 10% sample sees ~65% of them; the estimate recovers 2,000."""
    import sqlalchemy as sa

    rows = [{"v": i % 2000} for i in range(20_000)]
    duckdb_backend.create_table("rep", {"v": sa.Integer()}, rows)
    settings = ProfileConfig.model_validate({"sample": "10%"})
    with duckdb_backend.engine.connect() as connection:
        run = profile_dataset(connection, "rep", dataset_for(duckdb_backend, "rep"), settings=settings)
    assert run.profile.column("v").unique_count == pytest.approx(2000, rel=0.1)
