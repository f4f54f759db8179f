"""Plans of a dataset ``t`` (table ``s.t``) on the PostgreSQL dialect, built without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import postgresql

from agent.checks.planner import DatasetPlan, plan_dataset
from agent.config.models import Config


def postgres_plan(checks: list[dict[str, Any]], tmp_path: Path, *,
                  split_subqueries: bool = True) -> DatasetPlan:
    config = Config.model_validate({
        "agent": {"state_dir": str(tmp_path)},
        "warehouses": {"w": {"url": "postgresql+psycopg://u@h/db"}},
        "datasets": {"t": {"table": "s.t", "checks": checks}},
    })
    return plan_dataset("t", config.datasets["t"], postgresql.dialect(), datetime.now(UTC),
                        split_subqueries=split_subqueries)
