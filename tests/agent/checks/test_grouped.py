"""Grouped aggregates as scalar subqueries: duplicate rows and distinct counts honour the
dataset's filter on every backend, and on PostgreSQL the fused SELECT keeps a hashed, parallel
plan (no per-row SubPlan, no DISTINCT aggregate)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.checks.base import QueryContext
from agent.checks.grouped import read_from_first_block, rows_if_strictly_ascending
from agent.checks.planner import plan_dataset
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.conftest import make_config
from tests.support.backends import Backend

COLUMNS = {"code": sa.String(10), "grp": sa.Integer(), "keep": sa.Integer()}
# Rows kept by `keep = 1`: a, a, b, NULL, NULL, d -> 2 repeated rows, 3 distinct of 4 non-null.
# All rows: a, a, b, b, c, c -> 6 repeated rows, 4 distinct of 7 non-null.
ROWS = [
    {"code": code, "grp": grp, "keep": keep}
    for code, grp, keep in [
        ("a", 1, 1), ("a", 1, 1), ("b", 1, 1), ("b", 1, 0), ("c", 2, 0), ("c", 2, 0),
        (None, 1, 1), (None, 1, 1), ("d", 2, 1),
    ]
]
CHECKS = [
    {"type": "expect_column_values_to_be_unique", "column": "code", "name": "unique"},
    {"type": "expect_compound_columns_to_be_unique", "column_list": ["code", "grp"],
     "name": "compound"},
    {"type": "expect_column_unique_value_count_to_be_between", "column": "code",
     "min_value": 3, "max_value": 3, "name": "distinct"},
    {"type": "expect_column_proportion_of_unique_values_to_be_between", "column": "code",
     "min_value": 0.75, "max_value": 0.75, "name": "proportion"},
    {"type": "unique", "column": "code", "name": "native_unique"},
]


async def test_duplicates_and_distinct_values_within_the_filter(
    backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(backend, tmp_path, CHECKS, columns=COLUMNS, rows=ROWS, where="keep = 1")
    # b occurs twice in the table but once among the kept rows: not a duplicate here.
    assert ran["unique"].outcome.unexpected_count == 2
    assert ran["unique"].outcome.element_count == 6
    assert ran["compound"].outcome.unexpected_count == 2
    assert ran["distinct"].outcome.observed_value == 3
    assert ran["distinct"].status == Status.PASS
    assert ran["proportion"].outcome.observed_value == 0.75
    assert ran["proportion"].status == Status.PASS
    assert ran["native_unique"].outcome.unexpected_count == 1  # 4 non-null, 3 distinct


async def test_duplicates_and_distinct_values_of_the_whole_table(
    backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(backend, tmp_path, CHECKS, columns=COLUMNS, rows=ROWS)
    assert ran["unique"].outcome.unexpected_count == 6
    assert ran["compound"].outcome.unexpected_count == 6
    assert ran["distinct"].outcome.observed_value == 4
    assert ran["distinct"].status == Status.FAIL
    assert ran["native_unique"].outcome.unexpected_count == 3  # 7 non-null, 4 distinct


def test_postgres_plan_is_hashed_and_parallel(postgres_backend: Backend, tmp_path: Path) -> None:
    """With a small work_mem an ``IN (subquery)`` inside the aggregate became a SubPlan rescanned
    per row, and a DISTINCT aggregate kept the whole SELECT from aggregating in parallel."""
    backend = postgres_backend
    table = backend.qualified("t")
    backend.execute(
        f"CREATE TABLE {table} AS SELECT i AS id, 'k' || mod(i, 9000) AS code, mod(i, 5) AS grp, 1 AS keep "
        "FROM generate_series(1, 20000) AS s(i)"
    )
    backend.execute(f"ANALYZE {table}")
    config = make_config(backend, {"d": {"table": "t", "schema": backend.schema, "checks": CHECKS}},
                         tmp_path)
    plan = plan_dataset("d", config.datasets["d"], backend.engine.dialect, datetime.now(UTC))
    (query,) = plan.queries
    sql = str(plan.select(query).compile(dialect=backend.engine.dialect,
                                         compile_kwargs={"literal_binds": True}))
    with backend.engine.begin() as connection:
        for setting in ("work_mem = '64kB'", "parallel_setup_cost = 0", "parallel_tuple_cost = 0",
                        "min_parallel_table_scan_size = 0", "max_parallel_workers_per_gather = 2"):
            connection.exec_driver_sql(f"SET LOCAL {setting}")
        explained = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql)
        )
    assert "SubPlan" not in explained, explained
    assert "Partial Aggregate" in explained, explained


def _ascending_rows(backend: Backend, values: list[Any], where: str | None = None) -> int | None:
    """``rows_if_strictly_ascending`` over a fresh table holding ``values`` in this stored order
    (a new small heap is scanned from its first block, in insertion order)."""
    backend.create_table("steps", {"v": sa.Integer(), "keep": sa.Integer()},
                         [{"v": value, "keep": 0 if value == 99 else 1} for value in values])
    table = sa.table("steps", sa.column("v"), sa.column("keep"), schema=backend.schema)
    ctx = QueryContext(table=table, dialect=backend.engine.dialect, now=datetime.now(UTC),
                       where=where)
    with backend.engine.connect() as connection:
        found = connection.execute(sa.select(rows_if_strictly_ascending(ctx, "v"))).scalar()
    return None if found is None else int(found)


@pytest.mark.parametrize(("values", "proven"), [
    ([1, 2, 3, 7, 10], 5),
    ([], 0),
    ([1, None, 2, None, 3], 3),  # NULLs are not values
    ([6, 7, 8, 1, 2, 3], None),  # one step down: a rotation proves nothing
    ([1, 5, 2, 6, 3], None),  # two steps down
    ([1, 2, 2, 3], None),  # a value twice in a row
    ([5, 4, 3, 2, 1], None),  # descending
    ([1, 2, 3, 1], None),  # the last value is the first one again
])
def test_one_pass_proves_values_different_only_for_an_ascending_sequence(
    postgres_backend: Backend, values: list[Any], proven: int | None
) -> None:
    assert _ascending_rows(postgres_backend, values) == proven


def test_one_pass_proof_reads_only_the_rows_of_the_dataset_filter(
    postgres_backend: Backend,
) -> None:
    # 99 is filtered out (keep = 0): what remains ascends
    assert _ascending_rows(postgres_backend, [1, 99, 2, 3], where="keep = 1") == 3
    assert _ascending_rows(postgres_backend, [1, 99, 2, 3]) is None


def test_proof_reads_from_the_first_block_after_a_scan_stopped_mid_table(
    postgres_backend: Backend,
) -> None:
    """A table over a quarter of shared_buffers is scanned synchronised: a new scan starts
    where the last one reported being, and returns the rows rotated. The proof's statement
    turns that off for its transaction and sees the stored order."""
    backend = postgres_backend
    table = backend.qualified("big")
    with backend.engine.connect() as connection:
        buffers = int(connection.exec_driver_sql(
            "SELECT setting FROM pg_settings WHERE name = 'shared_buffers'").scalar_one())
    rows = (buffers // 4 + 512) * 36  # about 34 rows of this width fill an 8 kB block
    backend.execute(f"CREATE TABLE {table} AS SELECT i AS v, repeat('x', 200) AS pad "
                    f"FROM generate_series(1, {rows}) AS s(i)")
    with backend.engine.connect() as connection:
        blocks = connection.exec_driver_sql(
            f"SELECT pg_relation_size('{table}') / 8192").scalar_one()
    assert blocks > buffers // 4
    with backend.engine.connect() as connection:  # a scan that stops two thirds in
        connection.exec_driver_sql("SET synchronize_seqscans = on")
        connection.exec_driver_sql(f"DECLARE part CURSOR FOR SELECT v FROM {table}")
        connection.exec_driver_sql(f"FETCH {rows * 2 // 3} FROM part")
        connection.rollback()
    steps = sa.table("big", sa.column("v"), schema=backend.schema)
    ctx = QueryContext(table=steps, dialect=backend.engine.dialect, now=datetime.now(UTC))
    statement = sa.select(rows_if_strictly_ascending(ctx, "v"))
    with backend.engine.connect() as connection:
        connection.exec_driver_sql("SET max_parallel_workers_per_gather = 0")
        connection.exec_driver_sql("SET synchronize_seqscans = on")
        first = connection.exec_driver_sql(f"SELECT v FROM {table} LIMIT 1").scalar_one()
        assert first > 1  # the precondition: a plain scan starts mid-table
        assert connection.execute(statement).scalar() is None  # rotated: proves nothing
        connection.rollback()
        read_from_first_block(connection, statement)
        assert connection.execute(statement).scalar() == rows
        connection.rollback()
        assert connection.exec_driver_sql("SHOW synchronize_seqscans").scalar_one() == "on"


def _explained_uniqueness(backend: Backend, tmp_path: Path) -> tuple[dict[str, Any], str]:
    config = make_config(backend, {"d": {"table": "t", "schema": backend.schema, "checks": [
        {"type": "expect_column_values_to_be_unique", "column": "id", "name": "unique"},
        {"type": "expect_column_unique_value_count_to_be_between", "column": "id",
         "min_value": 1, "name": "distinct"},
    ]}}, tmp_path)
    plan = plan_dataset("d", config.datasets["d"], backend.engine.dialect, datetime.now(UTC),
                        split_subqueries=True)
    values: dict[str, Any] = {}
    explained: list[str] = []
    with backend.engine.connect() as connection:
        for key, expression in plan.subqueries.items():
            sql = str(sa.select(expression).compile(dialect=backend.engine.dialect,
                                                    compile_kwargs={"literal_binds": True}))
            explained += [row[0] for row in connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)]
            values[key] = connection.exec_driver_sql(sql).scalar()
    return values, "\n".join(explained)


def test_stored_in_order_column_is_proven_unique_without_grouping(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    backend = postgres_backend
    table = backend.qualified("t")
    backend.execute(f"CREATE TABLE {table} AS SELECT i AS id FROM generate_series(1, 20000) AS s(i)")
    backend.execute(f"ANALYZE {table}")
    values, explained = _explained_uniqueness(backend, tmp_path)
    assert sorted(int(value) for value in values.values()) == [0, 20000]
    assert "WindowAgg" in explained, explained
    # neither the sorted nor the hashed GROUP BY ran
    grouping = [line for line in explained.splitlines() if "Aggregate" in line and "Group" in line]
    assert grouping and all("never executed" in line for line in grouping), explained


def test_stored_in_order_column_with_a_repeated_value_is_counted_by_the_sort(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    backend = postgres_backend
    table = backend.qualified("t")
    # ascending but for one value stored again far from its first copy: the proof fails and the
    # sorted GROUP BY counts the two rows of the repeated key and 19,999 distinct values
    backend.execute(
        f"CREATE TABLE {table} AS SELECT CASE WHEN i = 15000 THEN 10 ELSE i END AS id "
        "FROM generate_series(1, 20000) AS s(i)")
    backend.execute(f"ANALYZE {table}")
    values, explained = _explained_uniqueness(backend, tmp_path)
    assert sorted(int(value) for value in values.values()) == [2, 19999]
    assert "GroupAggregate (actual rows" in explained and "Sort (actual rows" in explained, explained
