"""Per-dataset anomaly monitor configuration (``anomaly:`` in a dataset's YAML).

``anomaly: auto`` is shorthand for every default. Example::

    anomaly:
      metrics: [row_count, freshness_seconds]
      sensitivity: 0.5          # (0, 1]; higher alerts on smaller deviations
      direction: both           # both | spike | drop
      seasonality: auto         # auto | none | hour_of_day | day_of_week | hour_of_week
      training_window: 720      # points of history the models learn from
      min_history: 24           # points needed before any verdict
      exclude:                  # known incidents, left out of training
        - {start: 2024-03-01T00:00:00Z, end: 2024-03-02T06:00:00Z}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Direction = Literal["both", "spike", "drop"]
Seasonality = Literal["auto", "none", "hour_of_day", "day_of_week", "hour_of_week"]
Method = Literal[
    "auto", "ensemble", "zscore", "robust_zscore", "iqr", "seasonal", "holt_winters", "cusum"
]


class TimeRange(BaseModel):
    """An inclusive time range; naive datetimes are taken as UTC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if _utc(self.end) < _utc(self.start):
            raise ValueError(f"exclude range ends ({self.end}) before it starts ({self.start})")
        return self

    def contains(self, timestamps: np.ndarray) -> np.ndarray:
        """Boolean mask of ``timestamps`` (datetime64, UTC) inside the range."""
        ts = np.asarray(timestamps, dtype="datetime64[ns]")
        lo = np.datetime64(_utc(self.start).replace(tzinfo=None), "ns")
        hi = np.datetime64(_utc(self.end).replace(tzinfo=None), "ns")
        return np.asarray((ts >= lo) & (ts <= hi))


class AnomalyConfig(BaseModel):
    """Anomaly monitors of one dataset; an empty ``metrics`` list monitors every recorded metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: list[str] = Field(default_factory=list)
    sensitivity: float = Field(default=0.5, gt=0.0, le=1.0)
    direction: Direction = "both"
    seasonality: Seasonality = "auto"
    method: Method = "auto"
    training_window: int = Field(default=720, ge=10, le=100_000)
    min_history: int = Field(default=24, ge=3)
    exclude: list[TimeRange] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _auto_shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            if data.strip().lower() == "auto":
                return {}
            raise ValueError(f"anomaly must be 'auto' or a mapping of settings, not {data!r}")
        return data

    @model_validator(mode="after")
    def _history_fits_window(self) -> AnomalyConfig:
        if self.min_history > self.training_window:
            raise ValueError(
                f"min_history ({self.min_history}) is larger than training_window "
                f"({self.training_window}); lower min_history or raise training_window"
            )
        return self

    def excluded(self, timestamps: np.ndarray) -> np.ndarray:
        """Mask of points inside any ``exclude`` range (left out of training)."""
        mask = np.zeros(len(timestamps), dtype=bool)
        for time_range in self.exclude:
            mask |= time_range.contains(timestamps)
        return mask


def _none_or_auto(value: Any) -> Any:
    if value is True:
        return {}
    return value


AnomalySetting = Annotated[AnomalyConfig | None, BeforeValidator(_none_or_auto)]
"""Field type for a dataset's ``anomaly:`` key: None (off), ``auto``, ``true`` or a mapping."""


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
