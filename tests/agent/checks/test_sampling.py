"""Checks on a sample of the dataset: samplable checks read TABLESAMPLE (or the random() fallback),
their counts are extrapolated and marked estimated; the others read every row."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from agent.checks.planner import plan_dataset
from agent.checks.results import CheckResult, Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.checks.sampling import scaled
from agent.config.models import DatasetConfig
from agent.profiling.sampling import plan_sample
from agent.warehouses.warehouse import Warehouse
from tests.conftest import make_config
from tests.support.backends import Backend

ROWS = 200_000
SIGMAS = 6.0  # tolerance: six binomial standard deviations of the sampled share

# Every row's values follow from its id i: amount NULL when i % 10 == 0 (10%), kind 'c' when
# i % 20 == 0 (5%, unexpected), else 'a' or 'b'; created one second apart.
CHECKS: list[dict[str, Any]] = [
    {"type": "row_count", "min": 1},
    {"type": "not_null", "column": "amount", "mostly": 0.85},
    {"type": "accepted_values", "column": "kind", "values": ["a", "b"], "mostly": 0.9},
    {"type": "range", "column": "amount", "min": 0, "max": 500, "mostly": 0.4},
    {"type": "expect_column_sum_to_be_between", "column": "id", "min_value": 0},
    {"type": "unique", "column": "id"},
    {"type": "freshness", "column": "created", "max_age": "100000d"},
    {"type": "expect_table_row_count_to_equal", "value": ROWS},
]
SAMPLED = {"row_count", "not_null_amount", "accepted_values_kind", "range_amount",
           "expect_column_sum_to_be_between_id"}


def create_events(backend: Backend, rows: int = ROWS) -> None:
    source = {"duckdb": f"range(0, {rows}) AS r(i)",
              "postgresql": f"generate_series(0, {rows - 1}) AS r(i)"}[backend.name]
    backend.execute(f"""
        CREATE TABLE {backend.qualified('events')} AS SELECT i AS id,
          CASE WHEN mod(i, 10) = 0 THEN NULL ELSE mod(i, 1000) + 0.5 END AS amount,
          CASE WHEN mod(i, 20) = 0 THEN 'c' WHEN mod(i, 2) = 0 THEN 'a' ELSE 'b' END AS kind,
          TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '1 second' AS created
        FROM {source}""")


async def run_dataset(backend: Backend, tmp_path: Path, dataset: dict[str, Any],
                      count_queries: Any) -> tuple[DatasetRun, list[str]]:
    config = make_config(backend, {"events": dataset}, tmp_path)
    warehouse = Warehouse("w", config.warehouses["w"])
    counter = count_queries(warehouse.engine)
    try:
        run = await DatasetRunner("events", config.datasets["events"], warehouse).run()
    finally:
        warehouse.close()
    return run, counter.statements


def share_tolerance(share: float, sampled_rows: float) -> float:
    return SIGMAS * math.sqrt(share * (1.0 - share) / sampled_rows)


@pytest.fixture(params=["duckdb", "postgresql"])
def big_backend(request: pytest.FixtureRequest, duckdb_backend: Backend, tmp_path: Path) -> Backend:
    if request.param == "duckdb":
        return duckdb_backend
    return request.getfixturevalue("postgres_backend")  # type: ignore[no-any-return]


async def test_sampled_checks_close_to_full_ones(
    big_backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    create_events(big_backend)
    table = big_backend.qualified("events")
    full, full_sql = await run_dataset(
        big_backend, tmp_path, {"table": table, "checks": CHECKS}, count_queries)
    sampled, sampled_sql = await run_dataset(
        big_backend, tmp_path, {"table": table, "checks": CHECKS, "sample": "10%"}, count_queries)

    # One fused full scan (unique, freshness, exact row count) and one over the sample; on
    # PostgreSQL the unique check's GROUP BY is a statement of its own, run alongside the scan.
    grouped = 1 if big_backend.name == "postgresql" else 0
    assert (len(full_sql), len(sampled_sql)) == (1 + grouped, 2 + grouped), sampled_sql
    assert not any("TABLESAMPLE" in sql.upper() for sql in full_sql)
    assert sum("TABLESAMPLE BERNOULLI(10" in sql.upper().replace(" (", "(")
               for sql in sampled_sql) == 1
    assert sampled.queries == 2 + grouped

    exact = {r.check: r for r in full.results}
    estimated = {r.check: r for r in sampled.results}
    assert all(r.status == Status.PASS for r in full.results), [r.to_json() for r in full.results]
    assert {name for name, r in estimated.items() if r.estimated} == SAMPLED
    assert all(r.estimated_from == "10% (bernoulli)" for n, r in estimated.items() if n in SAMPLED)
    for name in set(exact) - SAMPLED:  # read every row: identical (freshness: up to the clock)
        assert replace(estimated[name].outcome, observed_value=None) == replace(
            exact[name].outcome, observed_value=None), name
        assert estimated[name].to_json()["estimated"] is False

    # The full scan's exact row count scales the sample (ratio estimator): the count is exact.
    assert estimated["row_count"].outcome.observed_value == ROWS == sampled.row_count
    sampled_rows = ROWS * 0.1
    null_share = estimated["not_null_amount"].outcome.observed_value
    assert null_share == pytest.approx(0.1, abs=share_tolerance(0.1, sampled_rows))
    assert estimated["not_null_amount"].outcome.missing_count == pytest.approx(
        ROWS * null_share, abs=1)
    unexpected = estimated["accepted_values_kind"].outcome.unexpected_count
    assert unexpected == pytest.approx(10_000, abs=ROWS * share_tolerance(0.05, sampled_rows))
    assert estimated["accepted_values_kind"].outcome.element_count == ROWS
    out_of_range = estimated["range_amount"].outcome.unexpected_ratio
    assert out_of_range == pytest.approx(exact["range_amount"].outcome.unexpected_ratio,
                                         abs=share_tolerance(0.5, sampled_rows * 0.9))
    total = float(exact["expect_column_sum_to_be_between_id"].outcome.observed_value)
    assert total == ROWS * (ROWS - 1) / 2
    estimate = float(estimated["expect_column_sum_to_be_between_id"].outcome.observed_value)
    assert estimate == pytest.approx(total, rel=0.03)
    assert all(r.status == Status.PASS for r in sampled.results)

    item = estimated["not_null_amount"].to_json()
    assert item["estimated"] is True and item["sample"] == "10% (bernoulli)"
    restored = CheckResult.from_record(estimated["not_null_amount"].to_record())
    assert restored.estimated_from == "10% (bernoulli)"


async def test_only_samplable_checks_skip_the_full_scan(
    big_backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    create_events(big_backend)
    checks = [c for c in CHECKS if c["type"] in {"row_count", "not_null"}]
    run, statements = await run_dataset(
        big_backend, tmp_path,
        {"table": big_backend.qualified("events"), "checks": checks, "sample": "5%"},
        count_queries)
    assert len(statements) == 1 and run.queries == 1
    assert "TABLESAMPLE" in statements[0].upper()
    # No exact count: scaled by 1 / 5%; the estimate's deviation is binomial.
    rows = run.results[0].outcome.observed_value
    assert isinstance(rows, int) and run.results[0].estimated
    assert rows == pytest.approx(ROWS, abs=SIGMAS * math.sqrt(ROWS * 0.95 / 0.05))
    assert run.row_count == rows


async def test_sample_rows(big_backend: Backend, tmp_path: Path, count_queries: Any) -> None:
    create_events(big_backend)
    checks = [c for c in CHECKS if c["type"] in {"row_count", "not_null"}]
    run, statements = await run_dataset(
        big_backend, tmp_path,
        {"table": big_backend.qualified("events"), "checks": checks, "sample_rows": 20_000},
        count_queries)
    by_name = {r.check: r for r in run.results}
    if big_backend.name == "duckdb":
        # A count sizes the scale; DuckDB's reservoir then reads exactly 20,000 rows.
        assert len(statements) == 2 and "reservoir(20000 ROWS)" in statements[1]
        assert by_name["row_count"].outcome.observed_value == ROWS
        assert by_name["row_count"].estimated_from == "20000 rows (reservoir)"
    else:
        # The planner's estimate (or a count, before ANALYZE) sizes a Bernoulli fraction.
        assert "TABLESAMPLE" in statements[-1].upper()
        assert by_name["row_count"].estimated
        assert by_name["row_count"].outcome.observed_value == pytest.approx(
            ROWS, abs=SIGMAS * math.sqrt(ROWS * 0.9 / 0.1))
    assert by_name["not_null_amount"].outcome.observed_value == pytest.approx(
        0.1, abs=share_tolerance(0.1, 20_000))


async def test_fallback_sampling_and_broken_check_on_every_backend(
    backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    rows = [{"id": i, "kind": "c" if i % 20 == 0 else "ab"[i % 2]} for i in range(20_000)]
    backend.create_table("events", {"id": sa.Integer(), "kind": sa.String(5)}, rows)
    checks = [{"type": "accepted_values", "column": "kind", "values": ["a", "b"], "mostly": 0.9},
              {"type": "not_null", "column": "no_such_column", "name": "broken"}]
    run, statements = await run_dataset(
        backend, tmp_path, {"table": backend.qualified("events"), "checks": checks,
                            "sample": "20%"}, count_queries)
    by_name = {r.check: r for r in run.results}
    assert by_name["broken"].status == Status.ERROR
    kind = by_name["accepted_values_kind"]
    assert kind.status == Status.PASS and kind.estimated_from == "20% (bernoulli)"
    assert kind.outcome.unexpected_ratio == pytest.approx(0.05, abs=share_tolerance(0.05, 4000))
    # The fused query failed, then each check ran alone, each on a sample.
    assert len(statements) == 3
    assert all(s.count("TABLESAMPLE") + s.count("random()") + s.count("rand()") == 1
               for s in statements)


def test_plan_splits_samplable_checks_and_renders_the_sample() -> None:
    config = DatasetConfig.model_validate(
        {"table": "s.events", "checks": CHECKS, "sample": "1%", "where": "kind <> 'x'"})
    now = datetime.now(UTC)
    plan = plan_dataset("events", config, postgresql.dialect(), now)
    full, sampled = plan.queries
    assert not full.sampled and sampled.sampled
    assert {c.name for c in sampled.checks} == SAMPLED
    assert {c.name for c in full.checks} == {"unique_id", "freshness_created",
                                             "expect_table_row_count_to_equal"}
    from agent.profiling.sampling import SamplePlan

    text = str(plan.select(sampled, sample=SamplePlan(fraction=0.01)).compile(
        dialect=postgresql.dialect()))
    assert "FROM s.events AS events_1 TABLESAMPLE bernoulli(1)" in text
    assert "events_1.amount" in text and "s.events.amount" not in text
    assert "WHERE kind <> 'x'" in text
    on_sqlite = plan_dataset("events", config, sqlite.dialect(), now)
    fallback = str(on_sqlite.select(on_sqlite.queries[1], sample=SamplePlan(fraction=0.01))
                   .compile(dialect=sqlite.dialect()))
    assert "TABLESAMPLE" not in fallback and "random()" in fallback

    blocks = plan_dataset("events", config.model_copy(update={"sample_method": "system"}),
                          postgresql.dialect(), now)
    text = str(blocks.select(blocks.queries[1], sample=SamplePlan(fraction=0.01, method="system"))
               .compile(dialect=postgresql.dialect()))
    assert "TABLESAMPLE system(1)" in text

    unsampled = plan_dataset("events", config.model_copy(update={"sample": None}),
                             postgresql.dialect(), now)
    assert len(unsampled.queries) == 1 and not unsampled.queries[0].sampled


def test_config_and_scaling() -> None:
    assert DatasetConfig.model_validate({"table": "t", "sample": "2.5%"}).sample == 0.025
    # sample_rows at least the table's rows: every row is read, nothing is estimated.
    config = DatasetConfig.model_validate({"table": "t", "sample_rows": 500})
    for dialect in ("duckdb", "postgresql", "sqlite"):
        assert not plan_sample(config, dialect, 400).sampled
    assert plan_sample(config, "duckdb", 1000).rows == 500
    with pytest.raises(ValueError, match="not both"):
        DatasetConfig.model_validate({"table": "t", "sample": "1%", "sample_rows": 5})
    with pytest.raises(ValueError, match="sample: expected a percentage"):
        DatasetConfig.model_validate({"table": "t", "sample": "lots"})
    assert scaled(7, 10.0) == 70 and isinstance(scaled(7, 10.0), int)
    assert scaled(None, 10.0) is None and scaled(1.5, 2.0) == 3.0


def test_table_output_marks_estimates() -> None:
    from agent.checks.results import Outcome
    from agent.commands.check import render_table

    def result(check: str, sample: str | None) -> CheckResult:
        return CheckResult(
            warehouse="w", dataset="events", check=check, check_type="not_null", column="a",
            severity="warning", dimension="completeness", status=Status.PASS,
            outcome=Outcome(success=True, observed_value=0.125), started_at=datetime.now(UTC),
            duration_seconds=0.1, estimated_from=sample)

    text = render_table([result("sampled", "1% (bernoulli)"), result("full", None)])
    sampled_line, full_line = text.splitlines()[1:3]
    assert "~0.125" in sampled_line and "~" not in full_line
    assert text.splitlines()[-1] == "(~ estimated from a sample: 1% (bernoulli))"
    assert "estimated" not in render_table([result("full", None)])
