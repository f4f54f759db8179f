"""Exact discrete quantiles of a column as expressions of the dataset's one SELECT, computed the
way Great Expectations' SQL engine computes them on each dialect; defines no check type.

- PostgreSQL, DuckDB and other dialects with the ordered-set aggregate: ``percentile_disc(q)
  WITHIN GROUP (ORDER BY col)``, the first value whose cumulative share reaches ``q`` (the
  ``ceil(q * n)``-th of the n non-null values, ``q`` as a double: PostgreSQL's arithmetic).
  PostgreSQL sorts once for all the quantiles of a column; DuckDB computes them in its scan.
- SQLite has none: each quantile is a scalar subquery reading the ``ceil(q * n)``-th smallest
  non-null value (``LIMIT 1 OFFSET``), the rank computed in exact integer arithmetic on ``q`` as
  written (0.56 of 25 values is the 14th), as Great Expectations does on SQLite.
- MariaDB / MySQL: Great Expectations' MySQL form, the value with the largest ``percent_rank``
  not above ``q`` (both as DECIMAL(18, 15)), i.e. the ``floor(q * (n - 1)) + 1``-th value; one
  scalar subquery per quantile.

The subqueries are uncorrelated, so every form still fuses into the dataset's statement.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext

MAX_DENOMINATOR = 10**9  # keeps q's numerator * row count within 64-bit integers
_DECIMAL = mysql.DECIMAL(18, 15)


def quantile_expressions(
    ctx: QueryContext, column: str, quantiles: list[float]
) -> list[ColumnElement[Any]]:
    """One expression per quantile, each the quantile's value (NULL without non-null values)."""
    dialect = ctx.dialect_name
    if dialect == "sqlite":
        return [_sqlite_quantile(ctx, column, q) for q in quantiles]
    if dialect in ("mysql", "mariadb"):
        return [_mysql_quantile(ctx, column, q) for q in quantiles]
    col = ctx.col(column)
    return [
        sa.func.percentile_disc(sa.cast(sa.literal(float(q)), sa.Double)).within_group(col.asc())
        for q in quantiles
    ]


def _values(ctx: QueryContext, column: str) -> tuple[sa.TableClause, ColumnElement[Any]]:
    """A table clause of its own (so subqueries are not correlated) and its column."""
    table = sa.table(ctx.table.name, sa.column(column), schema=ctx.table.schema)
    return table, table.c[column]


def _filtered(statement: sa.Select[Any], ctx: QueryContext) -> sa.Select[Any]:
    return statement.where(sa.text(ctx.where)) if ctx.where else statement


def _sqlite_quantile(ctx: QueryContext, column: str, q: float) -> ColumnElement[Any]:
    table, col = _values(ctx, column)
    count = _filtered(sa.select(sa.func.count(col)).select_from(table), ctx).scalar_subquery()
    exact = Fraction(str(q)).limit_denominator(MAX_DENOMINATOR)
    numerator, denominator = sa.literal(exact.numerator), sa.literal(exact.denominator)
    # ceil(a * n / b) in integer arithmetic, at least the first value
    rank = sa.func.max(1, (numerator * count + denominator - 1) // denominator)
    return _filtered(
        sa.select(col).select_from(table).where(col.is_not(None)), ctx,
    ).order_by(col.asc()).limit(1).offset(rank - 1).scalar_subquery()


def _mysql_quantile(ctx: QueryContext, column: str, q: float) -> ColumnElement[Any]:
    table, col = _values(ctx, column)
    share = sa.cast(sa.func.percent_rank().over(order_by=col.asc()), _DECIMAL).label("p")
    ranked = _filtered(
        sa.select(col.label("v"), share).select_from(table).where(col.is_not(None)), ctx,
    ).subquery("dq_ranked")
    return (
        sa.select(ranked.c.v).where(ranked.c.p <= sa.cast(sa.literal(float(q)), _DECIMAL))
        .order_by(ranked.c.p.desc()).limit(1).scalar_subquery()
    )
