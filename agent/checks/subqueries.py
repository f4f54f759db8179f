"""Grouped subqueries as statements of their own, run alongside the dataset's fused scan.

A uniqueness or distinct count is an uncorrelated scalar subquery (``agent.checks.grouped``):
the database scans and groups the table for it separately from the fused scan anyway. Inside the
fused SELECT those subqueries run one after another, on one core, before the scan's own work;
as statements of their own on a warehouse that runs statements concurrently they run on other
connections while the fused scan runs, so the dataset's run takes about as long as its longest
statement instead of the sum of all of them. The number of table scans is the same either way.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect
from sqlalchemy.sql.util import find_tables

from agent.checks.grouped import GROUPED_SUBQUERIES, holds_subquery, read_from_first_block
from agent.warehouses.errors import WarehouseError

if TYPE_CHECKING:
    from agent.checks.planner import DatasetPlan
    from agent.warehouses.warehouse import Warehouse

CONCURRENT_DIALECTS = frozenset({"postgresql", "mysql", "mariadb"})
"""Dialects whose server runs each connection's statement in its own process or thread; DuckDB
already parallelises one statement internally and SQLite runs one statement at a time."""


def splits_subqueries(warehouse: Warehouse) -> bool:
    """Whether ``warehouse`` gains from running grouped subqueries as statements of their own."""
    return warehouse.dialect_name in CONCURRENT_DIALECTS and warehouse.config.max_concurrency > 1


def is_standalone(expression: ColumnElement[Any], table: sa.TableClause) -> bool:
    """A grouped subquery of ``agent.checks.grouped`` (a scalar over a GROUP BY of the whole
    dataset) that does not read the dataset's own table clause, so it is not correlated with
    the fused scan and means the same in a statement of its own. Other scalar subqueries (a
    quantile's ranked read, say) stay in the fused SELECT."""
    if not isinstance(expression, ScalarSelect):
        return False
    return holds_subquery(expression, GROUPED_SUBQUERIES) and all(
        found is not table for found in find_tables(expression, include_aliases=True))


async def run_subqueries(plan: DatasetPlan, warehouse: Warehouse) -> int:
    """Run every standalone subquery and grouped statement of ``plan`` concurrently (bounded by
    the warehouse's concurrency), filling ``plan.subquery_values`` and ``plan.subquery_errors``
    by expression key; returns the statements issued."""
    statements = [([key], sa.select(expression.label("value")))
                  for key, expression in plan.subqueries.items()]
    statements += [(grouped.keys, grouped.statement) for grouped in plan.grouped_statements]
    if not statements:
        return 0
    outcomes = await asyncio.gather(*(_run(statement, warehouse) for _, statement in statements))
    for (keys, _), (values, error) in zip(statements, outcomes, strict=True):
        for index, key in enumerate(keys):
            if error is None:
                plan.subquery_values[key] = values[index]
            else:
                plan.subquery_errors[key] = error
    return len(statements)


async def _run(statement: sa.Select[Any], warehouse: Warehouse) -> tuple[tuple[Any, ...], str | None]:
    """(the row's values, None) or ((), why it failed)."""
    try:
        return await warehouse.run(lambda connection: _row(connection, statement)), None
    except WarehouseError as exc:
        return (), str(exc)


def _row(connection: Connection, statement: sa.Select[Any]) -> tuple[Any, ...]:
    read_from_first_block(connection, statement)
    return tuple(connection.execute(statement).one())
