"""Grouped subqueries (uniqueness, distinct counts) as statements of their own on PostgreSQL:
run alongside the fused scan, same verdicts as inside it, errors confined to their checks."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from agent.checks.results import Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.checks.subqueries import CONCURRENT_DIALECTS
from agent.config.models import Config
from agent.warehouses.warehouse import Warehouse
from tests.agent.checks.plans import postgres_plan
from tests.conftest import make_config
from tests.support.backends import Backend

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {"id": sa.Integer(), "code": sa.String(10), "amount": sa.Float()}
ROWS = [{"id": i, "code": f"c{i % 4}", "amount": float(i)} for i in range(1, 41)]
CHECKS: list[dict[str, Any]] = [
    {"type": "row_count", "min": 40, "max": 40},
    {"type": "unique", "column": "id"},
    {"type": "unique", "column": "code", "name": "code_unique"},
    {"type": "expect_column_values_to_be_unique", "column": "code", "name": "ge_code_unique"},
    {"type": "expect_column_unique_value_count_to_be_between", "column": "code",
     "min_value": 4, "max_value": 4, "name": "code_distinct"},
    {"type": "expect_column_quantile_values_to_be_between", "column": "amount", "name": "q",
     "quantile_ranges": {"quantiles": [0.5], "value_ranges": [[15, 25]]}},
    {"type": "range", "column": "amount", "min": 1, "max": 40},
]


def config_for(backend: Backend, tmp_path: Path, checks: list[dict[str, Any]] = CHECKS,
               **options: Any) -> Config:
    backend.create_table("t", COLUMNS, ROWS)
    warehouse = options.pop("warehouse", {})
    dataset = {"table": backend.qualified("t"), "checks": checks, **options}
    return make_config(backend, {"t": dataset}, tmp_path, **warehouse)


async def run(config: Config) -> tuple[DatasetRun, list[tuple[float, float, str]]]:
    """The dataset's run and each statement's (start, end, SQL) on the warehouse."""
    warehouse = Warehouse("w", config.warehouses["w"])
    spans: list[tuple[float, float, str]] = []
    lock = threading.Lock()

    def before(conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            spans.append((conn.info.pop("started"), time.perf_counter(), statement))

    event.listen(warehouse.engine, "before_cursor_execute", before)
    event.listen(warehouse.engine, "after_cursor_execute", after)
    try:
        return await DatasetRunner("t", config.datasets["t"], warehouse).run(), spans
    finally:
        warehouse.close()


def verdicts(ran: DatasetRun) -> dict[str, tuple[Status, Any, Any]]:
    return {r.check: (r.status, r.outcome.observed_value, r.outcome.unexpected_count)
            for r in ran.results}


def test_only_grouped_subqueries_are_taken_out_of_the_scan(tmp_path: Path) -> None:
    """Uniqueness and distinct counts leave the fused SELECT; a quantile's subquery stays."""
    fused = postgres_plan(CHECKS, tmp_path, split_subqueries=False)
    split = postgres_plan(CHECKS, tmp_path)
    assert fused.subqueries == {}
    # unique id, unique code (distinct counts), GE uniqueness (repeated keys); code_distinct's
    # distinct count is the same expression as code_unique's and is computed once
    assert len(split.subqueries) == 3
    texts = [str(e.compile(dialect=postgresql.dialect())) for e in split.subqueries.values()]
    assert sum("dq_repeated_keys" in text for text in texts) == 1
    assert sum("dq_distinct_values" in text for text in texts) == 2
    scan = str(split.select(split.queries[0]).compile(dialect=postgresql.dialect()))
    assert "GROUP BY" not in scan
    assert "percentile_disc" in scan or "percentile_cont" in scan  # the quantile stays fused
    assert [c.name for c in split.aggregate_checks] == [c.name for c in fused.aggregate_checks]


async def test_same_verdicts_split_or_fused(postgres_backend: Backend, tmp_path: Path) -> None:
    assert "postgresql" in CONCURRENT_DIALECTS
    split, split_spans = await run(config_for(postgres_backend, tmp_path))
    fused, fused_spans = await run(
        config_for(postgres_backend, tmp_path, warehouse={"max_concurrency": 1}))

    def grouped(spans: list[tuple[float, float, str]]) -> int:
        return sum(sql.lstrip().startswith("SELECT (SELECT") for _, _, sql in spans)

    assert (grouped(split_spans), grouped(fused_spans)) == (3, 0)  # one connection: one SELECT
    # the three grouped statements, and the catalogue read asking whether their columns are
    # stored in order (their proofs would share one pass; never analysed, they do not)
    assert split.queries == fused.queries + 4
    assert verdicts(split) == verdicts(fused)
    by_name = {r.check: r for r in split.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "row_count": Status.PASS, "unique_id": Status.PASS, "code_unique": Status.FAIL,
        "ge_code_unique": Status.FAIL, "code_distinct": Status.PASS, "q": Status.PASS,
        "range_amount": Status.PASS}
    assert by_name["unique_id"].outcome.unexpected_count == 0
    assert by_name["code_unique"].outcome.unexpected_count == 36  # 40 rows, 4 distinct values
    assert by_name["ge_code_unique"].outcome.unexpected_count == 40  # every row is repeated
    assert by_name["code_distinct"].outcome.observed_value == 4


async def test_grouped_statements_run_alongside_the_scan(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    """Every row costs 50 ms of sleep through the dataset's filter, in every statement: the
    fused scan and the grouped statements overlap in time instead of queueing."""
    checks: list[dict[str, Any]] = [{"type": "row_count", "min": 1}, {"type": "unique", "column": "id"},
              {"type": "unique", "column": "code", "name": "code_unique"}]
    config = config_for(postgres_backend, tmp_path, checks,
                        where="amount <= 6 AND length(pg_sleep(0.05)::text) = 0")
    ran, spans = await run(config)
    assert {r.check: r.status for r in ran.results} == {
        "row_count": Status.PASS, "unique_id": Status.PASS, "code_unique": Status.FAIL}
    statements = sorted((start, end) for start, end, sql in spans if "pg_sleep" in sql)
    # the scan, two GROUP BYs, then code_unique's failing rows: the candidate keys' look finds
    # fewer rows than the sample asks for (5), so the full predicate runs after it
    assert len(statements) == 5
    statements = statements[:3]
    latest_start = max(start for start, _ in statements)
    earliest_end = min(end for _, end in statements)
    assert latest_start < earliest_end, statements  # all three were running at once


async def test_a_failing_grouped_statement_errors_only_its_checks(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    checks: list[dict[str, Any]] = [{"type": "row_count", "min": 40, "max": 40},
              {"type": "unique", "column": "id"},
              {"type": "expect_column_values_to_be_unique", "column": "nope", "name": "bad"}]
    ran, _ = await run(config_for(postgres_backend, tmp_path, checks))
    by_name = {r.check: r for r in ran.results}
    assert by_name["bad"].status == Status.ERROR
    assert "nope" in (by_name["bad"].error or "")
    assert by_name["row_count"].status == Status.PASS
    assert by_name["unique_id"].status == Status.PASS
