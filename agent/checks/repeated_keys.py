"""Keys that appear more than once: the counts (one GROUP BY statement) and the row predicate
of the rows that carry such a key (for failing-row samples). Shared by ``duplicates`` and
``unique``.

NULL handling: by default a key with a NULL in any of its columns is never a duplicate (NULL is
not equal to NULL, as in a UNIQUE constraint); with ``nulls_equal`` NULLs compare equal (as in
GROUP BY, or PostgreSQL's UNIQUE NULLS NOT DISTINCT).

Samples first look among candidate keys: the repeated keys are grouped from the rows whose key is
one of the first ``CANDIDATE_KEYS`` keys a scan meets, which costs one scan with a small hash
lookup per row instead of grouping every key of the table (seconds on millions of distinct
keys). Every row it selects carries a repeated key; when it finds fewer rows than a sample asks
for, the caller falls back to the full predicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.map_outcome import as_int

CANDIDATE_KEYS = 1000
"""Keys a sample's first, cheap look at repeated keys considers (see the module's docstring)."""


@dataclass(frozen=True)
class KeyCounts:
    rows: int  # rows of the dataset
    incomplete_rows: int  # rows with a NULL in some key column
    duplicate_rows: int  # rows whose key appears more than once
    duplicate_keys: int  # keys that appear more than once


def _table(ctx: QueryContext, columns: list[str]) -> sa.TableClause:
    """A table clause of its own, so a subquery over it is not correlated with ``ctx.table``."""
    return sa.table(ctx.table.name, *(sa.column(c) for c in columns), schema=ctx.table.schema)


def key_counts_statement(
    ctx: QueryContext, columns: list[str], where: str | None, *, nulls_equal: bool
) -> sa.Select[Any]:
    """One row: rows, incomplete_rows, duplicate_rows, duplicate_keys (see :class:`KeyCounts`)."""
    table = _table(ctx, columns)
    key = [table.c[c] for c in columns]
    has_null = sa.or_(*(column.is_(None) for column in key))
    grouped = (
        sa.select(sa.func.count().label("n"),
                  sa.func.max(sa.case((has_null, 1), else_=0)).label("has_null"))
        .select_from(table).group_by(*key)
    )
    if where:
        grouped = grouped.where(sa.text(where))
    groups = grouped.subquery("dq_key_groups")
    repeated = groups.c.n > 1
    if not nulls_equal:
        repeated = sa.and_(repeated, groups.c.has_null == 0)

    def total(value: ColumnElement[Any], when: ColumnElement[bool] | None = None) -> Any:
        summed = value if when is None else sa.case((when, value), else_=0)
        return sa.func.coalesce(sa.func.sum(summed), 0)

    return sa.select(
        total(groups.c.n).label("rows"),
        total(groups.c.n, groups.c.has_null == 1).label("incomplete_rows"),
        total(groups.c.n, repeated).label("duplicate_rows"),
        total(sa.literal(1), repeated).label("duplicate_keys"),
    ).select_from(groups)


def key_counts(
    connection: Connection, ctx: QueryContext, columns: list[str], where: str | None, *,
    nulls_equal: bool,
) -> KeyCounts:
    statement = key_counts_statement(ctx, columns, where, nulls_equal=nulls_equal)
    row = connection.execute(statement).mappings().one()
    return KeyCounts(
        rows=as_int(row["rows"]), incomplete_rows=as_int(row["incomplete_rows"]),
        duplicate_rows=as_int(row["duplicate_rows"]), duplicate_keys=as_int(row["duplicate_keys"]),
    )


def repeated_key_filter(
    ctx: QueryContext, columns: list[str], where: str | None, *, nulls_equal: bool
) -> ColumnElement[bool]:
    """True for a row of ``ctx.table`` whose key appears more than once in the dataset."""
    table = _table(ctx, columns)
    key = [table.c[c] for c in columns]
    repeated = sa.select(*key).select_from(table).group_by(*key).having(sa.func.count() > 1)
    if where:
        repeated = repeated.where(sa.text(where))
    if not nulls_equal:
        repeated = repeated.where(*(column.is_not(None) for column in key))
    groups = repeated.subquery("dq_repeated_keys")
    return sa.exists(
        sa.select(sa.literal(1)).select_from(groups).where(
            *(groups.c[c].is_not_distinct_from(ctx.col(c)) for c in columns))
    )


def candidate_key_filter(
    ctx: QueryContext, columns: list[str], where: str | None
) -> ColumnElement[bool]:
    """True for a row of ``ctx.table`` whose key (no column NULL) is one of the first
    ``CANDIDATE_KEYS`` keys of the dataset and appears more than once: a subset of the rows
    :func:`repeated_key_filter` selects without NULLs, found without grouping every key."""
    first = _table(ctx, columns)
    candidates = sa.select(*(first.c[c] for c in columns)).select_from(first).where(
        *(first.c[c].is_not(None) for c in columns))
    if where:
        candidates = candidates.where(sa.text(where))
    # A derived table: MariaDB refuses LIMIT directly inside IN / EXISTS subqueries.
    chosen = candidates.limit(CANDIDATE_KEYS).subquery("dq_candidate_keys")
    table = _table(ctx, columns)
    key = [table.c[c] for c in columns]
    repeated = (
        sa.select(*key).select_from(table)
        .where(sa.exists(sa.select(sa.literal(1)).select_from(chosen).where(
            *(chosen.c[c] == table.c[c] for c in columns))))
        .group_by(*key).having(sa.func.count() > 1)
    )
    if where:
        repeated = repeated.where(sa.text(where))
    groups = repeated.subquery("dq_repeated_candidates")
    return sa.exists(
        sa.select(sa.literal(1)).select_from(groups).where(
            *(groups.c[c] == ctx.col(c) for c in columns))
    )
