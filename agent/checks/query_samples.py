"""Failing-row samples of checks that run their own statement and sample their failing rows
themselves, from what they read anyway (the dataset's ``failing_row_samples`` reaches them in
``QueryContext.failing_row_samples``):

- a user query whose result rows are the failing rows (custom_sql, unexpected_rows_expectation):
  the rows come from the statement that counts them (:func:`count_and_fetch`);
- an expectation judged in Python from the column's values (JSON, dateutil, strftime, JSON
  schema): one SELECT of the rows holding the first failing values (:func:`rows_with_values`).

The samples follow :mod:`agent.checks.failing_rows`: at most ``limit`` rows, the whole row or
``columns`` only, ``mask`` columns' non-null values replaced by ``***``; nothing for a passing
check or with ``limit: 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import Subquery

from agent.checks.base import QueryContext
from agent.checks.failing_rows import MASK, FailingRowSamples, masked_rows

MAX_ROWS_COUNTED_IN_PYTHON = 1000
"""A user query returning fewer rows than this (and than the sample limit) is counted from its
fetched rows; past it a COUNT(*) statement counts the rest."""
BINARY_COMPARED = ("mysql", "mariadb")  # text equality there ignores case and trailing spaces


def sample_settings(ctx: QueryContext) -> FailingRowSamples | None:
    """The dataset's sample settings, or None when samples are off."""
    settings = ctx.failing_row_samples
    return settings if settings is not None and settings.limit > 0 else None


def masked_values(values: Sequence[Any], column: str, settings: FailingRowSamples | None) -> list[Any]:
    """``values`` of ``column`` with each non-null one replaced by *** when the column is masked."""
    if settings is None or column.casefold() not in {name.casefold() for name in settings.mask}:
        return list(values)
    return [MASK if value is not None else None for value in values]


def shown_rows(
    keys: Sequence[str], rows: Sequence[Sequence[Any]], settings: FailingRowSamples
) -> list[dict[str, Any]]:
    """The first ``limit`` rows, ``columns`` only (those among ``keys``; names matched exactly,
    else case-insensitively), masked."""
    indices = list(range(len(keys)))
    if settings.columns is not None:
        indices = [i for i in (_index(keys, name) for name in settings.columns) if i is not None]
    return masked_rows(
        [keys[i] for i in indices],
        [tuple(row[i] for i in indices) for row in rows[: settings.limit]],
        settings.mask,
    )


def _index(keys: Sequence[str], name: str) -> int | None:
    if name in keys:
        return list(keys).index(name)
    folded = [key.casefold() for key in keys]
    return folded.index(name.casefold()) if name.casefold() in folded else None


def count_and_fetch(
    connection: Connection, source: Subquery, settings: FailingRowSamples | None, tolerated: int,
) -> tuple[int, list[str], list[tuple[Any, ...]]]:
    """The number of rows ``source`` returns and, with ``settings``, its first rows (keys, rows).

    Without settings: one COUNT(*). With them: one SELECT of the first
    max(limit, tolerated) + 1 rows (``tolerated`` capped at MAX_ROWS_COUNTED_IN_PYTHON); when it
    returns fewer, they are all the rows and give the count, else a COUNT(*) follows.
    """
    # A bound parameter makes PostgreSQL drivers use the extended protocol, which refuses a
    # second statement even where the parser check of the user's SQL was fooled.
    guard = sa.literal(1) == sa.literal(1)
    counted = sa.select(sa.func.count()).select_from(source).where(guard)
    if settings is None:
        return int(connection.execute(counted).scalar_one()), [], []
    fetched = max(settings.limit, min(tolerated, MAX_ROWS_COUNTED_IN_PYTHON)) + 1
    result: sa.CursorResult[Any] = connection.execute(
        sa.select(sa.literal_column("*")).select_from(source).where(guard).limit(fetched)
    )
    keys = list(result.keys())
    rows = [tuple(row) for row in result.all()]
    if len(rows) < fetched:
        return len(rows), keys, rows
    return int(connection.execute(counted).scalar_one()), keys, rows


def rows_with_values(
    connection: Connection, ctx: QueryContext, where: str | None, column: str,
    failing: Sequence[Any], is_failing: Callable[[Any], bool], settings: FailingRowSamples,
) -> dict[str, Any]:
    """``failing_rows``: rows whose ``column`` holds one of the first ``limit`` distinct
    ``failing`` values (each such row fails: the verdict depends on the value only), in one
    SELECT; ``failing_rows_error`` when it fails. Rows whose value, read back, does not fail
    (matched through a collation that equates 'TRUE' with 'true') are left out."""
    values = _first_distinct(failing, settings.limit)
    if not values:
        return {}
    col = ctx.col(column)
    compared: Any = col
    if ctx.dialect_name in BINARY_COMPARED and all(isinstance(v, str) for v in values):
        compared = sa.type_coerce(sa.cast(col, sa.LargeBinary), sa.String)
    names = list(settings.columns) if settings.columns is not None else None
    if names is not None and _index(names, column) is None:
        names.append(column)  # read to re-judge the value, not shown
    selected: list[Any] = (
        [sa.column(name) for name in names] if names is not None else [sa.literal_column("*")]
    )
    statement = sa.select(*selected).select_from(ctx.table).where(compared.in_(values))
    if where:
        statement = statement.where(sa.text(where))
    try:
        result = connection.execute(statement.limit(settings.limit))
        keys = list(result.keys())
        rows = [tuple(row) for row in result.all()]
    except sa.exc.DBAPIError as exc:
        connection.rollback()
        return {"failing_rows_error": error_text(exc)}
    position = _index(keys, column)
    if position is not None:
        rows = [row for row in rows if row[position] is not None and is_failing(row[position])]
    return {"failing_rows": shown_rows(keys, rows, settings)}


def row_columns(ctx: QueryContext, settings: FailingRowSamples) -> list[Any]:
    """What a sample reads of each row: ``columns``, or every column of the dataset's table
    (as ``table.*``, so that other expressions can stand beside it)."""
    if settings.columns is not None:
        return [sa.column(name) for name in settings.columns]
    return [sa.literal_column(f"{ctx.dialect.identifier_preparer.quote(ctx.table.name)}.*")]


def error_text(exc: sa.exc.DBAPIError) -> str:
    """The driver's message without SQLAlchemy's statement dump (which may carry values)."""
    message = str(exc.orig).strip().splitlines()
    return f"{type(exc.orig).__name__}: {message[0] if message else ''}"


def _first_distinct(values: Sequence[Any], count: int) -> list[Any]:
    """The first ``count`` distinct values, in order (unhashable values compared by equality)."""
    found: list[Any] = []
    seen: set[Any] = set()
    for value in values:
        if len(found) >= count:
            break
        try:
            if value in seen:
                continue
            seen.add(value)
        except TypeError:
            if value in found:
                continue
        found.append(value)
    return found
