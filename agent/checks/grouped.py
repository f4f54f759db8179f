"""Aggregates over a GROUP BY of the dataset, as uncorrelated scalar subqueries that still fuse
into the dataset's one SELECT (the database computes each once).

Why not the obvious forms, on PostgreSQL:
- ``col IN (SELECT col ... GROUP BY col HAVING count(*) > 1)`` inside an aggregate becomes a
  SubPlan; once the subquery's estimated size exceeds ``work_mem`` it is not hashed but rescanned
  for every row of the table, which is quadratic (minutes on a few million rows).
- ``count(DISTINCT col)`` in the fused SELECT rules out parallel aggregation for the whole
  statement (every other expression of the dataset is then computed by one process) and sorts
  the column; a GROUP BY in a scalar subquery is hashed and leaves the main scan parallel.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext


def _own_table(ctx: QueryContext, columns: list[str]) -> sa.TableClause:
    """A table clause of its own, so a subquery over it is not correlated with ``ctx.table``."""
    return sa.table(ctx.table.name, *(sa.column(c) for c in columns), schema=ctx.table.schema)


def _filtered(statement: sa.Select[Any], ctx: QueryContext) -> sa.Select[Any]:
    return statement.where(sa.text(ctx.where)) if ctx.where else statement


def repeated_key_rows(ctx: QueryContext, columns: list[str]) -> ColumnElement[Any]:
    """Rows of the dataset whose key (``columns``, none of them NULL) occurs more than once."""
    table = _own_table(ctx, columns)
    key = [table.c[c] for c in columns]
    groups = _filtered(
        sa.select(sa.func.count().label("n")).select_from(table)
        .where(*(column.is_not(None) for column in key))
        .group_by(*key).having(sa.func.count() > 1),
        ctx,
    ).subquery("dq_repeated_keys")
    return sa.select(sa.func.coalesce(sa.func.sum(groups.c.n), 0)).scalar_subquery()


def distinct_count(ctx: QueryContext, column: str) -> ColumnElement[Any]:
    """The number of distinct non-null values of ``column`` in the dataset.

    ``count(DISTINCT col)`` everywhere but PostgreSQL, where it is a GROUP BY in a scalar
    subquery (see the module's docstring).
    """
    if ctx.dialect_name != "postgresql":
        return sa.func.count(sa.distinct(ctx.col(column)))
    table = _own_table(ctx, [column])
    values = _filtered(
        sa.select(table.c[column]).select_from(table).where(table.c[column].is_not(None))
        .group_by(table.c[column]),
        ctx,
    ).subquery("dq_distinct_values")
    return sa.select(sa.func.count()).select_from(values).scalar_subquery()
