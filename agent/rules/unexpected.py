"""The unexpected values of map expectations (partial_unexpected_list / unexpected_list).

The fused query only counts unexpected rows; for the map expectations that found some, one
small SELECT per expectation fetches their values (at most ``partial_unexpected_count`` of them
unless result_format is COMPLETE). Expectations without unexpected rows cost nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEMapCheck
from agent.checks.failing_rows import MASK
from agent.checks.results import CheckResult, Status
from agent.warehouses.errors import WarehouseError
from agent.warehouses.warehouse import Warehouse


def unexpected_statement(
    check: GEMapCheck[Any], ctx: QueryContext, where: str | None, limit: int | None
) -> sa.Select[Any]:
    statement = sa.select(*check.unexpected_columns(ctx)).select_from(ctx.table).where(
        check.domain(ctx), check.unexpected(ctx)
    )
    if where:
        statement = statement.where(sa.text(where))
    return statement if limit is None else statement.limit(limit)


async def with_unexpected_values(
    result: CheckResult, check: GEMapCheck[Any], ctx: QueryContext, where: str | None,
    warehouse: Warehouse, mask: Iterable[str] = (),
) -> tuple[CheckResult, bool]:
    """``result`` with its unexpected values added (values of ``mask`` columns replaced by
    ***, as in failing-row samples); the flag says whether a query was issued."""
    level = check.spec.result_level()
    if level == "BOOLEAN_ONLY" or result.status == Status.ERROR:
        return result, False
    partial = check.spec.partial_count()
    complete = level == "COMPLETE"
    values: list[Any] = []
    extra: dict[str, Any] = {}
    queried = False
    if (result.outcome.unexpected_count or 0) > 0:
        statement = unexpected_statement(check, ctx, where, None if complete else partial)
        queried = True
        try:
            rows = await warehouse.run(lambda conn: _rows(conn, statement))
        except WarehouseError as exc:
            extra["unexpected_list_error"] = str(exc)
            rows = []
        hidden = {name.casefold() for name in mask}
        names = [str(getattr(column, "name", "")).casefold() for column in check.unexpected_columns(ctx)]
        rows = [tuple(MASK if name in hidden and value is not None else value
                      for name, value in zip(names, row, strict=True)) for row in rows]
        values = [check.format_unexpected(row) for row in rows]
    extra["partial_unexpected_list"] = values[:partial]
    if complete:
        extra["unexpected_list"] = values
    outcome = dataclasses.replace(result.outcome, details={**result.outcome.details, **extra})
    return dataclasses.replace(result, outcome=outcome), queried


def _rows(connection: Connection, statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(statement).all()]
