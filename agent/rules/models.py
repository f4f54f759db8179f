"""A rule file: one dataset's Great Expectations-style expectations, alerting and tags."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.alerting.channels import FORMS, validate_channels
from agent.checks.failing_rows import FailingRowSamples
from agent.config.identifiers import TableName
from agent.rules.templates import parse_span


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(RuleModel):
    """One expectation; ``column`` may sit here or inside ``kwargs``."""

    expectation_type: str = Field(min_length=1)
    column: str | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    name: str | None = Field(default=None, description="Unique within the rule; defaulted.")
    meta: dict[str, Any] = Field(default_factory=dict)
    severity: str | None = None


class AlertConfig(RuleModel):
    """How the rule's failures alert. Each field reaches Prometheus and Alertmanager: severity
    and sla_threshold (as ``alert_after``) through the rule's checks, channels and dedupe_window
    through the dataset's ``alerting`` (see agent/alerting/config.py)."""

    severity: str = "warning"
    channels: list[str] = Field(default_factory=list, description=f"One of {FORMS} each.")
    sla_threshold: int = Field(
        default=1, ge=1, description="Alert after this many consecutive failed runs."
    )
    dedupe_window: float | None = Field(
        default=None, gt=0, description="Re-send a still-firing alert at most this often, "
        "e.g. '1 hour'."
    )

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        return validate_channels(value)

    @field_validator("dedupe_window", mode="before")
    @classmethod
    def _span(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_span(value)
        return value


class RuleFile(RuleModel):
    rule_id: str = Field(min_length=1)
    dataset: TableName = Field(min_length=1, description="table or schema.table")
    rule_type: str | None = None
    description: str | None = None
    schedule: str | None = Field(default=None, description="cron expression or interval")
    warehouse: str | None = None
    where: str | None = Field(default=None, description="SQL filter applied to every expectation")
    expectations: list[Expectation] = Field(min_length=1)
    alert_config: AlertConfig = Field(default_factory=AlertConfig)
    tags: dict[str, str] = Field(default_factory=dict)
    failing_row_samples: FailingRowSamples | None = Field(
        default=None, description="Sample rows of failing expectations: {limit: 5, mask: [...]}."
    )
