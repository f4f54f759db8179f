"""Side queries: scalars aggregate checks need from outside the dataset's scan (the other table
of a reconciliation), run before the scan, each on its warehouse, concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from agent.checks.base import SideQuery
from agent.warehouses.errors import WarehouseError

if TYPE_CHECKING:
    from agent.checks.planner import DatasetPlan
    from agent.warehouses.warehouse import Warehouse


async def run_side_queries(
    plan: DatasetPlan, own: Warehouse, warehouses: Mapping[str, Warehouse]
) -> int:
    """Fill ``plan.side_values`` / ``plan.side_errors``; returns the statements issued."""
    jobs: list[tuple[str, str, SideQuery]] = [
        (check.name, key, side)
        for check in plan.aggregate_checks
        for key, side in check.side_queries(plan.context).items()
    ]
    if not jobs:
        return 0
    outcomes = await asyncio.gather(*(_run(side, own, warehouses) for _, _, side in jobs))
    for (check, key, _), (value, error) in zip(jobs, outcomes, strict=True):
        if error is not None:
            plan.side_errors.setdefault(check, error)
        else:
            plan.side_values.setdefault(check, {})[key] = value
    return sum(1 for _, _, side in jobs if side.warehouse is None or side.warehouse in warehouses)


async def _run(
    side: SideQuery, own: Warehouse, warehouses: Mapping[str, Warehouse]
) -> tuple[Any, str | None]:
    """(value, None) or (None, why it failed)."""
    warehouse = own if side.warehouse is None else warehouses.get(side.warehouse)
    if warehouse is None:
        known = ", ".join(sorted(warehouses))
        return None, f"warehouse {side.warehouse!r} is not configured (configured: {known})"
    try:
        value = await warehouse.run(lambda connection: _scalar(connection, side))
    except WarehouseError as exc:
        where = "" if side.warehouse is None else f" on warehouse {side.warehouse}"
        return None, f"query{where} failed: {exc}"
    return value, None


def _scalar(connection: Connection, side: SideQuery) -> Any:
    return connection.execute(side.statement).scalar()
