"""``dbt:`` in the main config: dbt manifests whose tests the agent imports as datasets at load
and on every reload.

    dbt:
      - manifest: ../analytics/target/manifest.json   # relative to the config file
        warehouse: analytics                          # optional with one warehouse
        schedule: 1h                                  # optional; default every 5 minutes
        select: [orders, stg_*]                       # optional; default every tested relation
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DbtConfig(BaseModel):
    """One dbt project's manifest and where and when its tests run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    manifest: Path = Field(description="target/manifest.json of a dbt project (relative to this "
                           "file); read again on every reload.")
    warehouse: str | None = Field(
        default=None, description="The configured warehouse the models live in; optional when "
        "only one is configured.",
    )
    schedule: str | None = Field(
        default=None, description="Schedule of the imported datasets: an interval (1h) or a cron "
        "expression; default the datasets' default.",
    )
    select: list[str] | None = Field(
        default=None, min_length=1,
        description="Only the tests of these models or sources (their dataset names, e.g. orders, "
        "raw_payments; shell patterns such as stg_* allowed); default all.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: Any) -> Any:
        from agent.config.models import parse_schedule  # the config models import this one

        if value is not None:
            parse_schedule(value)
        return value

    @field_validator("select")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not pattern.strip() for pattern in value):
            raise ValueError("select entries cannot be empty")
        return value
