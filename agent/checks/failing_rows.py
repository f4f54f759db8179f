"""Failing-row samples: for a failing check with a row-level verdict, up to ``limit`` rows that
fail it, with the ``mask`` columns replaced by ``***``.

They cost one small SELECT per failing check (none for passing checks or with ``limit: 0``),
are stored with the run in the history store and shown in the JSON outputs, under the result's
``failing_rows``. They are never exported as metrics.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from agent.checks.base import Check, QueryContext
from agent.checks.results import CheckResult, Status
from agent.warehouses.errors import WarehouseError

if TYPE_CHECKING:
    from agent.warehouses.warehouse import Warehouse

MASK = "***"
DEFAULT_LIMIT = 5
MAX_TEXT_LENGTH = 200  # longer text values are cut to this many characters


class FailingRowSamples(BaseModel):
    """``failing_row_samples`` of a dataset."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: int = Field(
        default=DEFAULT_LIMIT, ge=0, le=1000,
        description="Rows fetched per failing check; 0 turns samples off.",
    )
    mask: list[str] = Field(
        default_factory=list,
        description="Columns whose values are replaced by *** (names compared case-insensitively).",
    )
    columns: list[str] | None = Field(
        default=None, description="Columns to fetch (default: every column of the table)."
    )


def sample_statement(
    check: Check[Any], ctx: QueryContext, where: str | None, settings: FailingRowSamples,
    *, first: bool = False,
) -> sa.Select[Any] | None:
    """The SELECT of ``check``'s failing rows, or None when the check has no row predicate;
    ``first``: with the check's cheaper predicate tried first (None when it has none)."""
    predicate = check.failing_rows_first(ctx, where) if first else check.failing_rows(ctx, where)
    if predicate is None or settings.limit <= 0:
        return None
    if settings.columns:
        selected: list[Any] = [sa.column(name) for name in settings.columns]
    else:
        selected = [sa.literal_column("*")]
    statement = sa.select(*selected).select_from(ctx.table).where(predicate)
    if where:
        statement = statement.where(sa.text(where))
    return statement.limit(settings.limit)


def masked_rows(
    keys: Sequence[str], rows: Iterable[Sequence[Any]], mask: Iterable[str]
) -> list[dict[str, Any]]:
    """Rows as {column: value}, JSON-safe, masked columns' non-null values replaced by ***."""
    hidden = {name.casefold() for name in mask}
    return [
        {key: (MASK if key.casefold() in hidden and value is not None else cell(value))
         for key, value in zip(keys, row, strict=True)}
        for row in rows
    ]


def cell(value: Any) -> Any:
    """One value as JSON can carry it; long text is cut, binary is summarised."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    text = str(value)
    return text if len(text) <= MAX_TEXT_LENGTH else text[:MAX_TEXT_LENGTH] + "..."


def is_failing(result: CheckResult) -> bool:
    return result.status in (Status.FAIL, Status.WARN) and not result.outcome.success


async def with_failing_rows(
    results: list[CheckResult], checks: Mapping[str, Check[Any]], ctx: QueryContext,
    where: str | None, warehouse: Warehouse, settings: FailingRowSamples,
    skip: Collection[str] = (),
) -> tuple[list[CheckResult], int]:
    """``results`` with samples added to the failing ones; also the number of queries issued.
    Checks named in ``skip`` are left alone (their caller fetches their samples itself)."""
    out: list[CheckResult] = []
    issued = 0
    for result in results:
        check = checks.get(result.check)
        statements: list[sa.Select[Any]] = []
        if check is not None and is_failing(result) and result.check not in skip:
            candidates = (sample_statement(check, ctx, where, settings, first=True),
                          sample_statement(check, ctx, where, settings))
            if candidates[1] is not None:
                statements = [candidate for candidate in candidates if candidate is not None]
        if not statements:
            out.append(result)
            continue
        issued += 1
        try:
            keys, rows, ran = await warehouse.run(functools.partial(
                fetch_rows, statements=statements, wanted=settings.limit))
            issued += ran - 1
            extra: dict[str, Any] = {"failing_rows": masked_rows(keys, rows, settings.mask)}
        except WarehouseError as exc:
            extra = {"failing_rows_error": str(exc)}
        outcome = dataclasses.replace(result.outcome, details={**result.outcome.details, **extra})
        out.append(dataclasses.replace(result, outcome=outcome))
    return out, issued


def fetch_rows(
    connection: Connection, *, statements: Sequence[sa.Select[Any]], wanted: int | None
) -> tuple[list[str], list[tuple[Any, ...]], int]:
    """The column names and rows of the first of ``statements`` that gives at least ``wanted``
    rows (of the last one otherwise; of the last one only when ``wanted`` is None), and how many
    statements ran. The statements are a cheap predicate's SELECT, then the full one's."""
    if wanted is None:
        statements = statements[-1:]
    for ran, statement in enumerate(statements, start=1):
        result = connection.execute(statement)
        keys, rows = list(result.keys()), [tuple(row) for row in result.all()]
        if ran == len(statements) or (wanted is not None and len(rows) >= wanted):
            return keys, rows, ran
    raise ValueError("fetch_rows needs at least one statement")
