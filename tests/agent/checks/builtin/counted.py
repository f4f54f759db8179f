"""Running checks like :func:`run_checks`, counting the SELECTs the warehouse receives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from agent.checks.runner import DatasetRunner
from agent.warehouses.warehouse import Warehouse
from tests.agent.checks.builtin.support import Ran
from tests.conftest import QueryCounter, make_config
from tests.support.backends import Backend


async def run_counted(
    backend: Backend, tmp_path: Path, checks: Sequence[dict[str, Any]], *,
    columns: dict[str, sa.types.TypeEngine[Any]], rows: Sequence[dict[str, Any]],
    table: str = "t",
) -> tuple[Ran, QueryCounter]:
    """Create ``table``, run ``checks`` on it once; the results and the statements counted."""
    backend.create_table(table, columns, rows)
    dataset: dict[str, Any] = {"table": table, "checks": list(checks)}
    if backend.schema:
        dataset["schema"] = backend.schema
    config = make_config(backend, {"d": dataset}, tmp_path)
    warehouse = Warehouse("w", config.warehouses["w"])
    counter = QueryCounter()
    event.listen(warehouse.engine, "before_cursor_execute", counter)
    try:
        run = await DatasetRunner("d", config.datasets["d"], warehouse).run()
    finally:
        event.remove(warehouse.engine, "before_cursor_execute", counter)
        warehouse.close()
    assert len(run.results) == len(checks), run.results
    return Ran(run, {r.check: r for r in run.results}, warehouse.stats), counter
