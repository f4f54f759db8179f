"""Per-dataset profiling configuration (``profile:`` in a dataset's YAML). Example::

    profile:
      schedule: "0 3 * * 0"       # cron or interval; without it, profiles run only on demand
      columns: [amount, status]   # default: every column
      sample: "1%"                # or sample_rows: 100000
      sample_method: bernoulli    # bernoulli | system (PostgreSQL block sampling)
      incremental: {column: updated_at, null_rows: once, full_refresh_every: 7d}
      pushdown: false             # DuckDB: approx_count_distinct / approx_quantile in SQL
      export_columns: [amount]    # dq_column_* gauges; default: the first 20 columns
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from agent.config.durations import Duration, parse_duration

if TYPE_CHECKING:
    from agent.config.models import Schedule

SampleMethod = Literal["bernoulli", "system"]
DEFAULT_EXPORT_LIMIT = 20
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def parse_sample(value: Any) -> float | None:
    """``"1%"`` or a fraction in (0, 1] -> the fraction of rows to read."""
    if value is None:
        return None
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if not match:
            raise ValueError(f"sample: expected a percentage such as '1%', got {value!r}")
        fraction = float(match.group(1)) / 100.0
    elif isinstance(value, int | float) and not isinstance(value, bool):
        fraction = float(value)
    else:
        raise ValueError(f"sample: expected a percentage such as '1%', got {value!r}")
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"sample: expected more than 0% and at most 100%, got {value!r}")
    return fraction


SampleShare = Annotated[
    float | None,
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
                              {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                              {"type": "null"}]}),
]
"""A share of rows: ``"1%"`` in YAML, or a fraction; validated by :func:`parse_sample`."""


NullRows = Literal["skip", "once"]


class IncrementalConfig(BaseModel):
    """Incremental profiles: ``{column: updated_at, null_rows: once, full_refresh_every: 7d}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str = Field(min_length=1, description="Monotonic column (e.g. updated_at) used as watermark.")
    null_rows: NullRows = Field(
        default="skip",
        description="Rows whose watermark column is NULL: skip (never profiled; counted and "
        "reported at each full read) or once (profiled at each full read only).",
    )
    full_refresh_every: int | str | None = Field(
        default=None,
        description="Read the whole table again after this many increments (10) or once the "
        "last full read is this old (7d), bounding the drift of updated rows counted twice.",
    )

    @field_validator("full_refresh_every", mode="before")
    @classmethod
    def _refresh(cls, value: Any) -> int | str | None:
        if isinstance(value, bool) or not isinstance(value, int | str | None):
            raise ValueError("full_refresh_every: expected a number of increments (10) or a duration (7d)")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, int):
            if value < 1:
                raise ValueError(
                    "full_refresh_every: expected at least 1 increment, or a duration such as 7d")
            return value
        if value is not None and parse_duration(value) <= 0:
            raise ValueError("full_refresh_every: the duration must be positive")
        return value

    @property
    def refresh_increments(self) -> int | None:
        """Increments after which the next run reads every row, or None."""
        return self.full_refresh_every if isinstance(self.full_refresh_every, int) else None

    @property
    def refresh_seconds(self) -> float | None:
        """Age of the last full read after which the next run reads every row, or None."""
        if isinstance(self.full_refresh_every, str):
            return parse_duration(self.full_refresh_every)
        return None


class ProfileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: str | None = Field(default=None, description="Interval (7d) or cron expression.")
    columns: list[str] = Field(default_factory=list, description="Columns to profile; empty: all.")
    sample: SampleShare = Field(default=None, description="Share of rows to sample, e.g. '1%'.")
    sample_rows: int | None = Field(default=None, ge=1, description="Rows to sample.")
    sample_method: SampleMethod = "bernoulli"
    incremental: IncrementalConfig | None = None
    pushdown: bool = False
    export_columns: list[str] | None = Field(
        default=None,
        description=f"Columns exported as dq_column_*; default the first {DEFAULT_EXPORT_LIMIT}.",
    )
    timeout: Duration = Field(default=3600.0, description="Longest a profile may take.")
    top_k: int = Field(default=10, ge=1, le=1000)
    batch_rows: int = Field(default=50_000, ge=100, le=10_000_000)

    @field_validator("sample", mode="before")
    @classmethod
    def _sample(cls, value: Any) -> float | None:
        return parse_sample(value)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None:
            from agent.config.models import parse_schedule

            parse_schedule(value)
        return value

    @model_validator(mode="after")
    def _one_sampling(self) -> ProfileConfig:
        if self.sample is not None and self.sample_rows is not None:
            raise ValueError("give sample (a percentage) or sample_rows, not both")
        if self.incremental is not None and (self.sample is not None or self.sample_rows is not None):
            raise ValueError("incremental profiles read every new row; remove sample / sample_rows")
        return self

    @property
    def sampled(self) -> bool:
        return self.sample is not None or self.sample_rows is not None

    def parsed_schedule(self) -> Schedule | None:
        """When scheduled profiles run (an interval, or a cron expression's own times), or None."""
        if self.schedule is None:
            return None
        from agent.config.models import parse_schedule

        return parse_schedule(self.schedule)
