"""Uniqueness proofs of several columns stored in order share one pass on PostgreSQL: the same
counts as each column's own pass, one scan of the table for all of them, and a column holding a
NULL falls back to its own pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from agent.checks.base import QueryContext
from agent.checks.grouped import ASCENDING_STEPS, shared_ascending_proofs
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.checks.shared_proofs import proof_sharing_columns, share_ascending_proofs
from agent.checks.value_counts import ColumnStats
from agent.config.models import Config
from agent.warehouses.warehouse import Warehouse
from tests.agent.checks.plans import postgres_plan
from tests.conftest import make_config
from tests.support.backends import Backend

OWN_PASS = -1
"""What the tests pass as a column's own proof, to see when the shared pass hands over to it."""


def _shared(backend: Backend, a: list[Any], b: list[Any], where: str | None = None
            ) -> tuple[int | None, int | None]:
    """Both columns' proofs from one shared pass over a fresh table holding ``a`` and ``b`` in
    this stored order (a row whose ``a`` is 99 has ``keep = 0``)."""
    backend.create_table("steps", {"a": sa.Integer(), "b": sa.Integer(), "keep": sa.Integer()},
                         [{"a": x, "b": y, "keep": 0 if x == 99 else 1} for x, y in zip(a, b, strict=True)])
    table = sa.table("steps", sa.column("a"), sa.column("b"), sa.column("keep"),
                     schema=backend.schema)
    ctx = QueryContext(table=table, dialect=backend.engine.dialect, now=datetime.now(UTC),
                       where=where)
    prove = shared_ascending_proofs(ctx, ["a", "b"])
    own = sa.literal(OWN_PASS)
    with backend.engine.connect() as connection:
        row = connection.execute(sa.select(prove("a", own), prove("b", own))).one()
    return tuple(None if value is None else int(value) for value in row)  # type: ignore[return-value]


@pytest.mark.parametrize(("a", "b", "proven"), [
    ([1, 2, 3], [5, 6, 9], (3, 3)),
    ([], [], (0, 0)),
    ([1, None, 2], [1, 2, 3], (OWN_PASS, 3)),  # a NULL: the shared pass cannot tell
    ([1, 2, 2], [1, 2, 3], (None, 3)),  # a value twice in a row
    ([3, 1, 2], [1, 2, 3], (None, 3)),  # a rotation proves nothing
    ([1, 2, 3, 1], [4, 3, 2, 1], (None, None)),
])
def test_shared_pass_proves_each_column_as_its_own_pass_would(
    postgres_backend: Backend, a: list[Any], b: list[Any], proven: tuple[int | None, int | None]
) -> None:
    assert _shared(postgres_backend, a, b) == proven


def test_shared_pass_reads_only_the_rows_of_the_dataset_filter(postgres_backend: Backend) -> None:
    assert _shared(postgres_backend, [1, 99, 2], [1, 2, 3], where="keep = 1") == (2, 2)
    assert _shared(postgres_backend, [1, 99, 2], [1, 2, 3]) == (None, 3)


CHECKS: list[dict[str, Any]] = [
    {"type": "expect_column_values_to_be_unique", "column": "id", "name": "id_unique"},
    {"type": "expect_column_values_to_be_unique", "column": "ref", "name": "ref_unique"},
    {"type": "expect_column_unique_value_count_to_be_between", "column": "ref", "min_value": 1,
     "name": "ref_distinct"},
    {"type": "expect_column_values_to_be_unique", "column": "code", "name": "code_unique"},
]


def _config(backend: Backend, tmp_path: Path, select: str, **warehouse: Any) -> Config:
    table = backend.qualified("t")
    backend.execute(f"DROP TABLE IF EXISTS {table}")
    backend.execute(f"CREATE TABLE {table} AS {select}")
    backend.execute(f"ANALYZE {table}")
    return make_config(backend, {"t": {"table": table, "checks": CHECKS}}, tmp_path, **warehouse)


async def _run(config: Config) -> tuple[DatasetRun, list[str]]:
    """The dataset's run and the SQL of every statement it sent."""
    warehouse = Warehouse("w", config.warehouses["w"])
    sent: list[str] = []
    lock = threading.Lock()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            sent.append(statement)

    event.listen(warehouse.engine, "before_cursor_execute", record)
    try:
        return await DatasetRunner("t", config.datasets["t"], warehouse).run(), sent
    finally:
        warehouse.close()


def _counts(ran: DatasetRun) -> dict[str, Any]:
    """Per check: (unexpected rows, observed value); a uniqueness check observes the share of
    unexpected rows."""
    return {r.check: (r.outcome.unexpected_count, r.outcome.observed_value) for r in ran.results}


ASCENDING = ("SELECT i AS id, 'R-' || lpad(i::text, 6, '0') AS ref, 'c' || mod(i, 7) AS code "
             "FROM generate_series(1, 5000) AS s(i)")


async def test_two_columns_stored_in_order_are_proven_in_one_scan(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    ran, sent = await _run(_config(postgres_backend, tmp_path, ASCENDING))
    proving = [sql for sql in sent if "lag(" in sql]
    # one statement holds the shared pass for id and ref; ref's distinct count shares it too
    assert len(proving) == 1 and ASCENDING_STEPS in proving[0], proving
    assert _counts(ran) == {"id_unique": (0, 0.0), "ref_unique": (0, 0.0),
                            "ref_distinct": (None, 5000), "code_unique": (5000, 1.0)}
    one_connection, _ = await _run(_config(postgres_backend, tmp_path, ASCENDING,
                                           max_concurrency=1))
    assert _counts(one_connection) == _counts(ran)


async def test_a_null_or_a_repeated_value_is_still_counted_exactly(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    """id repeats the value before a NULL right after it (a NULL ends the shared pass's
    comparisons for the column: its own pass, which skips NULLs, finds the repeat); ref repeats
    one value far from its first copy (no proof: the sorted GROUP BY counts the two rows)."""
    select = ("SELECT CASE WHEN i = 2500 THEN NULL WHEN i = 2501 THEN 2499 ELSE i END AS id,"
              " 'R-' || lpad(CASE WHEN i = 4000 THEN '10' ELSE i::text END, 6, '0') AS ref,"
              " 'c' || mod(i, 7) AS code FROM generate_series(1, 5000) AS s(i)")
    ran, sent = await _run(_config(postgres_backend, tmp_path, select))
    assert sum(ASCENDING_STEPS in sql for sql in sent) == 1
    assert _counts(ran) == {"id_unique": (2, 2 / 4999), "ref_unique": (2, 2 / 5000),
                            "ref_distinct": (None, 4999), "code_unique": (5000, 1.0)}


def test_only_columns_stored_in_order_share_the_pass(tmp_path: Path) -> None:
    in_order, scattered = ColumnStats(0.99, 1.0), ColumnStats(0.99, 0.2)
    plan = postgres_plan(CHECKS, tmp_path)
    assert proof_sharing_columns(plan) == ["code", "id", "ref"]
    standalone = len(plan.subqueries)  # id, ref (two expressions), code
    assert standalone == 4
    moved = share_ascending_proofs(plan, {"id": in_order, "ref": in_order, "code": scattered})
    assert len(moved) == 3 and len(plan.subqueries) == 1
    (grouped,) = plan.grouped_statements
    assert grouped.keys == moved
    assert ASCENDING_STEPS in str(grouped.statement.compile(dialect=postgresql.dialect()))

    # one column in order, or none analysed: every subquery stays a statement of its own
    for stats in ({"id": in_order, "ref": scattered, "code": scattered}, {}):
        plan = postgres_plan(CHECKS, tmp_path)
        assert share_ascending_proofs(plan, stats) == []
        assert len(plan.subqueries) == standalone and plan.grouped_statements == []
