"""``alerting:`` of a dataset: the channels its alerts go to and how often a still-firing alert
is re-sent.

    alerting:
      channels: ["slack:data-team", "email:data-team@example.com"]
      dedupe_window: 1h

A rule file's ``alert_config`` (channels, dedupe_window) becomes this block of the rule's dataset.
The agent exports the channels as the ``channels`` label of dq_dataset_info; the alerts carry
it, and ``dq-agent alertmanager routes`` writes the Alertmanager routes that match it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.alerting.channels import FORMS, validate_channels
from agent.rules.templates import parse_span


def parse_window(value: Any) -> Any:
    """Seconds of a window written as ``1h``, ``1 hour`` or a number of seconds."""
    if isinstance(value, str):
        return parse_span(value)
    return value


class DatasetAlerting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: list[str] = Field(
        default_factory=list, description=f"Where the dataset's alerts go: {FORMS}."
    )
    dedupe_window: float | None = Field(
        default=None, gt=0,
        description="Re-send a still-firing alert at most this often (Alertmanager's "
        "repeat_interval), e.g. 1h or '1 hour'.",
    )

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        return validate_channels(value)

    @field_validator("dedupe_window", mode="before")
    @classmethod
    def _window(cls, value: Any) -> Any:
        return parse_window(value)
