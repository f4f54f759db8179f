"""``freshness_sla:`` of a dataset, and the SLA in force when it is not written.

    freshness_sla: 2h                                     # shorthand for max_delay
    freshness_sla: {max_delay: 2h, windows: [1d, 7d, 30d]}

The dataset's age is what its (first) freshness check measures, the value exported as
dq_dataset_freshness_seconds. ``max_delay`` defaults to that check's ``max_age``, so every
dataset with a freshness check has an SLA; ``freshness_sla`` only overrides the limit or the
compliance windows, and needs a freshness check to measure against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.checks.builtin.freshness import FreshnessSpec
from agent.config.durations import Duration

if TYPE_CHECKING:
    from agent.config.models import DatasetConfig

DEFAULT_WINDOWS: tuple[float, ...] = (86400.0, 7 * 86400.0, 30 * 86400.0)
_LABEL_UNITS: tuple[tuple[str, float], ...] = (("d", 86400.0), ("h", 3600.0), ("m", 60.0),
                                               ("s", 1.0))


class FreshnessSlaConfig(BaseModel):
    """The limit on the dataset's age and the windows its compliance is computed over."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_delay: Duration | None = Field(
        default=None,
        description="Largest allowed age of the newest row; default the freshness check's max_age.",
    )
    windows: tuple[Duration, ...] = Field(
        default=DEFAULT_WINDOWS,
        description="Windows of the compliance ratio (dq_dataset_freshness_sla_compliance_ratio).",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {"max_delay": value}
        return value

    @field_validator("max_delay")
    @classmethod
    def _positive_delay(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("max_delay must be positive, e.g. 2h")
        return value

    @field_validator("windows")
    @classmethod
    def _windows(cls, windows: tuple[float, ...]) -> tuple[float, ...]:
        if not windows:
            raise ValueError("give at least one window, e.g. [1d, 7d, 30d]")
        if any(w <= 0 for w in windows):
            raise ValueError("every window must be positive, e.g. 1d")
        labels = [window_label(w) for w in windows]
        if len(set(labels)) != len(labels):
            raise ValueError(f"windows repeat: {labels}")
        return tuple(sorted(windows))


def window_label(seconds: float) -> str:
    """The ``window`` label of a compliance window: 86400 -> ``1d``, 5400 -> ``90m``."""
    for unit, size in _LABEL_UNITS:
        if seconds >= size and float(seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return f"{seconds:g}s"


def freshness_check_max_age(dataset: DatasetConfig) -> float | None:
    """``max_age`` of the dataset's first freshness check (the one its age comes from)."""
    for spec in dataset.check_specs():
        if isinstance(spec, FreshnessSpec):
            return float(spec.max_age)
    return None


def sla_seconds(dataset: DatasetConfig) -> float | None:
    """The freshness SLA in force for ``dataset``, or None when it has none."""
    max_age = freshness_check_max_age(dataset)
    if max_age is None:
        return None
    sla = dataset.freshness_sla
    if sla is not None and sla.max_delay is not None:
        return sla.max_delay
    return max_age


def sla_windows(dataset: DatasetConfig) -> tuple[float, ...]:
    return dataset.freshness_sla.windows if dataset.freshness_sla is not None else DEFAULT_WINDOWS


def validate_sla(dataset: DatasetConfig) -> None:
    """A written ``freshness_sla`` needs a freshness check to measure the dataset's age."""
    if dataset.freshness_sla is not None and freshness_check_max_age(dataset) is None:
        raise ValueError(
            "freshness_sla needs a freshness check to measure the dataset's age; add one to "
            "`checks`, e.g. {type: freshness, column: updated_at, max_age: 2h}"
        )
