"""The unexpected values of map expectations (partial_unexpected_list / unexpected_list), and
their failing-row samples.

The fused query only counts unexpected rows. For a map expectation that found some, one small
SELECT fetches both what Great Expectations lists (at most ``partial_unexpected_count`` values)
and the dataset's failing-row samples: the rows are the same, so the (possibly costly)
predicate runs once. With result_format COMPLETE every unexpected value is listed, and the
samples cost their own SELECT. Expectations without unexpected rows cost nothing.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck
from agent.checks.failing_rows import (
    MASK,
    FailingRowSamples,
    fetch_rows,
    is_failing,
    masked_rows,
)
from agent.checks.results import CheckResult, Status
from agent.warehouses.errors import WarehouseError
from agent.warehouses.warehouse import Warehouse


def unexpected_statement(
    check: GEMapCheck[Any], ctx: QueryContext, where: str | None, limit: int | None,
    columns: Sequence[Any] | None = None,
) -> sa.Select[Any]:
    """The unexpected rows of ``check``: its unexpected columns, or ``columns`` when given."""
    return _rows_where(check.unexpected(ctx), check, ctx, where, limit, columns)


def unexpected_statements(
    check: GEMapCheck[Any], ctx: QueryContext, where: str | None, limit: int | None,
    columns: Sequence[Any] | None = None,
) -> list[sa.Select[Any]]:
    """:func:`unexpected_statement`, preceded by the same SELECT with the check's cheaper
    predicate when it has one (:func:`fetch_rows` runs the second only when the first finds
    fewer than ``limit`` rows)."""
    full = unexpected_statement(check, ctx, where, limit, columns)
    first = check.unexpected_first(ctx)
    if first is None or limit is None:
        return [full]
    return [_rows_where(first, check, ctx, where, limit, columns), full]


def _rows_where(
    predicate: ColumnElement[bool], check: GEMapCheck[Any], ctx: QueryContext,
    where: str | None, limit: int | None, columns: Sequence[Any] | None,
) -> sa.Select[Any]:
    selected = list(columns) if columns is not None else check.unexpected_columns(ctx)
    statement = sa.select(*selected).select_from(ctx.table).where(check.domain(ctx), predicate)
    if where:
        statement = statement.where(sa.text(where))
    return statement if limit is None else statement.limit(limit)


async def with_unexpected_values(
    result: CheckResult, check: GEMapCheck[Any], ctx: QueryContext, where: str | None,
    warehouse: Warehouse, samples: FailingRowSamples | None = None,
) -> tuple[CheckResult, int]:
    """``result`` with its unexpected values and, when it fails and ``samples`` asks for them,
    its failing-row samples (``samples.mask`` columns replaced by *** in both); also the
    number of queries issued."""
    settings = samples or FailingRowSamples(limit=0)
    level = check.spec.result_level()
    if result.status == Status.ERROR:
        return result, 0
    listing = level != "BOOLEAN_ONLY" and (result.outcome.unexpected_count or 0) > 0
    sampling = settings.limit > 0 and is_failing(result)
    partial = check.spec.partial_count()
    complete = level == "COMPLETE"
    extra: dict[str, Any] = {}
    issued = 0
    values: list[Any] | None = None
    if sampling:
        shared = listing and not complete
        issued += 1
        columns = _sample_columns(check, ctx, settings, with_unexpected=shared)
        limit = max(settings.limit, partial) if shared else settings.limit
        statements = unexpected_statements(check, ctx, where, limit, columns)
        try:
            keys, rows, ran = await warehouse.run(functools.partial(
                fetch_rows, statements=statements, wanted=limit))
            issued += ran - 1
            if shared:
                values = _values_by_name(check, ctx, keys, rows, settings.mask)
            shown = [index for index, key in enumerate(keys)
                     if settings.columns is None or key in settings.columns]
            extra["failing_rows"] = masked_rows(
                [keys[i] for i in shown],
                [tuple(row[i] for i in shown) for row in rows[: settings.limit]],
                settings.mask,
            )
        except WarehouseError as exc:
            extra["failing_rows_error"] = str(exc)
    if listing and values is None:
        issued += 1
        wanted = None if complete else partial
        statements = unexpected_statements(check, ctx, where, wanted)
        try:
            _keys, rows, ran = await warehouse.run(functools.partial(
                fetch_rows, statements=statements, wanted=wanted))
            issued += ran - 1
            values = _unexpected_values(check, ctx, rows, settings.mask)
        except WarehouseError as exc:
            extra["unexpected_list_error"] = str(exc)
    values = values or []
    if level != "BOOLEAN_ONLY":
        extra["partial_unexpected_list"] = values[:partial]
        if complete:
            extra["unexpected_list"] = values
    outcome = dataclasses.replace(result.outcome, details={**result.outcome.details, **extra})
    return dataclasses.replace(result, outcome=outcome), issued


def _sample_columns(
    check: GEMapCheck[Any], ctx: QueryContext, settings: FailingRowSamples, *, with_unexpected: bool
) -> list[Any]:
    """What the sample SELECT reads: the whole row, or ``settings.columns`` (plus the unexpected
    columns when the same rows also give the unexpected values)."""
    if settings.columns is None:
        return [sa.literal_column("*")]
    names = list(settings.columns)
    if with_unexpected:
        names += [name for name in _names(check, ctx) if name not in names]
    return [sa.column(name) for name in names]


def _names(check: GEMapCheck[Any], ctx: QueryContext) -> list[str]:
    return [str(getattr(column, "name", "")) for column in check.unexpected_columns(ctx)]


def _unexpected_values(
    check: GEMapCheck[Any], ctx: QueryContext, rows: Iterable[Sequence[Any]], mask: Iterable[str],
) -> list[Any]:
    """Rows of the unexpected columns as Great Expectations lists them; masked columns'
    non-null values replaced by ***."""
    hidden = {name.casefold() for name in mask}
    names = _names(check, ctx)
    return [
        check.format_unexpected(tuple(
            MASK if name.casefold() in hidden and value is not None else value
            for name, value in zip(names, row, strict=True)
        ))
        for row in rows
    ]


def _values_by_name(
    check: GEMapCheck[Any], ctx: QueryContext, keys: Sequence[str],
    rows: Sequence[Sequence[Any]], mask: Iterable[str],
) -> list[Any] | None:
    """The unexpected values read from whole rows by column name; None when a column cannot be
    found among ``keys`` (the caller then queries them on their own)."""
    position = {key: index for index, key in enumerate(keys)}
    folded = {key.casefold(): index for index, key in enumerate(keys)}
    indices = [position.get(name, folded.get(name.casefold())) for name in _names(check, ctx)]
    if any(index is None for index in indices):
        return None
    picked = [tuple(row[index] for index in indices if index is not None) for row in rows]
    return _unexpected_values(check, ctx, picked, mask)
