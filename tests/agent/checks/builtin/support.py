"""Running a few checks against one freshly created table on a test backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from agent.checks.results import CheckResult
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.warehouses.stats import WarehouseStats
from agent.warehouses.warehouse import Warehouse
from tests.conftest import make_config
from tests.support.backends import Backend


@dataclass
class Ran:
    """One run of a dataset: the run, its results by check name and the warehouse's stats."""

    run: DatasetRun
    results: dict[str, CheckResult]
    stats: WarehouseStats

    def __getitem__(self, check: str) -> CheckResult:
        return self.results[check]


async def run_checks(
    backend: Backend, tmp_path: Path, checks: Sequence[dict[str, Any]], *,
    columns: dict[str, sa.types.TypeEngine[Any]] | None = None,
    rows: Sequence[dict[str, Any]] = (), table: str = "t", where: str | None = None,
    options: dict[str, Any] | None = None, **warehouse: Any,
) -> Ran:
    """Create ``table`` (unless ``columns`` is None), run ``checks`` on it once, close up.
    ``options`` are further keys of the dataset's config."""
    if columns is not None:
        backend.create_table(table, columns, rows)
    dataset: dict[str, Any] = {"table": table, "checks": list(checks)}
    if backend.schema:
        dataset["schema"] = backend.schema
    if where is not None:
        dataset["where"] = where
    dataset.update(options or {})
    config = make_config(backend, {"d": dataset}, tmp_path, **warehouse)
    engine = Warehouse("w", config.warehouses["w"])
    try:
        run = await DatasetRunner("d", config.datasets["d"], engine).run()
    finally:
        engine.close()
    assert len(run.results) == len(checks), run.results
    return Ran(run, {result.check: result for result in run.results}, engine.stats)


def row_count(backend: Backend, table: str = "t") -> int:
    """Rows of ``table`` counted on the backend's own connection (not through the agent)."""
    name = sa.table(table, schema=backend.schema)
    with backend.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(name)).scalar_one())
