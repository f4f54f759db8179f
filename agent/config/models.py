"""The configuration as pydantic models (extra keys are errors), frozen once loaded."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Union

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from agent.alerting.config import DatasetAlerting
from agent.anomaly.config import AnomalySetting
from agent.checks.base import CheckSpec
from agent.checks.failing_rows import FailingRowSamples
from agent.checks.registry import spec_models
from agent.config.durations import Duration, parse_duration
from agent.config.identifiers import TableNameError, checked_table_name, split_table_name
from agent.dbt.config import DbtConfig
from agent.profiling.config import ProfileConfig, SampleMethod, SampleShare, parse_sample
from agent.quality import QualityConfig
from agent.rules.models import RuleFile
from agent.sla.config import FreshnessSlaConfig, validate_sla

_CRON_ALIASES = {
    "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(StrictModel):
    """When a dataset runs: every ``interval`` seconds, or on a ``cron`` expression."""

    interval: float | None = None
    cron: str | None = None

    @property
    def nominal_interval(self) -> float:
        """Seconds between runs (for a cron, the gap between its next two fire times)."""
        if self.interval is not None:
            return self.interval
        from datetime import UTC, datetime

        trigger = CronTrigger.from_crontab(self.cron or "", timezone=UTC)
        first = trigger.get_next_fire_time(None, datetime.now(UTC))
        second = trigger.get_next_fire_time(first, first) if first else None
        if first is None or second is None:
            return 0.0
        if second == first:
            from datetime import timedelta

            second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
        return (second - first).total_seconds() if second else 0.0

    def describe(self) -> str:
        return f"every {self.interval:g}s" if self.interval is not None else f"cron {self.cron}"


def parse_schedule(value: Any) -> Schedule:
    """``5m`` / ``30s`` (an interval), a five-field cron expression, or an @alias."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, dict):
        return Schedule(**value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Schedule(interval=parse_duration(value))
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected an interval such as 5m or a cron expression such as '0 * * * *'")
    text = value.strip()
    text = _CRON_ALIASES.get(text, text)
    if len(text.split()) == 5:
        try:
            CronTrigger.from_crontab(text)
        except ValueError as exc:
            raise ValueError(f"invalid cron expression {value!r}: {exc}") from None
        return Schedule(cron=text)
    try:
        seconds = parse_duration(text.removeprefix("every ").removeprefix("@every "))
    except ValueError:
        raise ValueError(
            f"{value!r} is neither an interval (30s, 5m, 1h) nor a five-field cron expression "
            "such as '*/5 * * * *'"
        ) from None
    if seconds <= 0:
        raise ValueError("the interval must be positive")
    return Schedule(interval=seconds)


_SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_SETTING_VALUE = re.compile(r"[A-Za-z0-9_.+-]+")


class PoolConfig(StrictModel):
    size: int = Field(default=5, ge=1, le=100)
    max_overflow: int = Field(default=5, ge=0, le=100)
    recycle: Duration = 1800.0
    timeout: Duration = 30.0


class WarehouseConfig(StrictModel):
    url: str = Field(description="SQLAlchemy URL, e.g. postgresql://user@host/db or duckdb:///f.db")
    password: SecretStr | None = None
    password_file: Path | None = Field(
        default=None, description="File whose content (stripped) is the password."
    )
    max_concurrency: int = Field(default=4, ge=1, le=256)
    statement_timeout: Duration = 60.0
    connect_timeout: Duration = 10.0
    pool: PoolConfig = PoolConfig()
    connect_args: dict[str, Any] = Field(default_factory=dict)
    session_settings: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description=(
            "Run-time settings of the agent's own sessions, e.g. {work_mem: 64MB} on "
            "PostgreSQL (set with -c at connect; jit is off unless set here) or "
            "{sort_buffer_size: 8388608} on MySQL/MariaDB and DuckDB (SET when connecting)."
        ),
    )

    @field_validator("session_settings")
    @classmethod
    def _plain_settings(
        cls, settings: dict[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        for name, value in settings.items():
            if not _SETTING_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a setting name (letters, digits, _ and .)")
            if not _SETTING_VALUE.fullmatch(str(value)):
                raise ValueError(
                    f"{name}: {value!r} is not a plain value; use letters, digits and _ . + - "
                    "(a size such as 64MB, a number, on/off)"
                )
        return settings

    @field_validator("url")
    @classmethod
    def _parses(cls, url: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(url)
        except ArgumentError:
            raise ValueError(
                "not a SQLAlchemy URL; expected dialect[+driver]://user@host[:port]/database"
            ) from None
        return url

    @model_validator(mode="after")
    def _one_password_source(self) -> WarehouseConfig:
        if self.password is not None and self.password_file is not None:
            raise ValueError("give password or password_file, not both")
        return self

    @model_validator(mode="after")
    def _settings_where_sessions_have_them(self) -> WarehouseConfig:
        from sqlalchemy.engine import make_url

        if self.session_settings and make_url(self.url).get_backend_name() == "sqlite":
            raise ValueError("session_settings: SQLite has no session settings; remove the key")
        return self

    def resolved_password(self) -> str | None:
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return None


def _check_union() -> Any:
    models = tuple(spec_models())
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007


CheckConfig = _check_union()


class DatasetConfig(StrictModel):
    table: str = Field(min_length=1, description="table or schema.table")
    schema_name: str | None = Field(
        default=None, alias="schema",
        description="Schema; when given, `table` is taken literally (it may contain dots).",
    )
    warehouse: str | None = Field(
        default=None, description="Name of a warehouse; optional when only one is configured."
    )
    schedule: Schedule = Field(default=Schedule(interval=300.0))
    jitter: Duration = 0.0
    where: str | None = Field(default=None, description="SQL filter applied to every check.")
    owner: str = ""
    team: str = ""
    tier: str = ""
    criticality: str = ""
    upstream: list[str] = Field(default_factory=list, description="Datasets this one reads from.")
    checks: list[CheckConfig] = Field(default_factory=list)  # type: ignore[valid-type]
    anomaly: AnomalySetting = Field(
        default=None, description="Anomaly monitors on this dataset's history; `auto` for defaults."
    )
    quality: QualityConfig = Field(
        default_factory=QualityConfig, description="Dimension weights of the quality score."
    )
    profile: ProfileConfig | None = Field(
        default=None, description="Profiling of this dataset: schedule, sampling, incremental."
    )
    failing_row_samples: FailingRowSamples = Field(
        default_factory=FailingRowSamples,
        description="Sample rows of failing row-level checks: {limit: 5, mask: [columns]}.",
    )
    alerting: DatasetAlerting = Field(
        default_factory=DatasetAlerting,
        description="Where the dataset's alerts go: {channels: [slack:NAME, email:ADDRESS, "
        "webhook:URL, pagerduty:NAME], dedupe_window: 1h}.",
    )
    freshness_sla: FreshnessSlaConfig | None = Field(
        default=None,
        description="Freshness SLA: max_delay (default the freshness check's max_age) and the "
        "compliance windows; `2h` is short for {max_delay: 2h}.",
    )

    sample: SampleShare = Field(
        default=None, description="Run the samplable checks on this share of rows, e.g. '1%'; "
        "counts are extrapolated and the results marked estimated.",
    )
    sample_rows: int | None = Field(default=None, ge=1, description="Or about this many rows.")
    sample_method: SampleMethod = "bernoulli"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule(cls, value: Any) -> Schedule:
        return parse_schedule(value)

    @field_validator("sample", mode="before")
    @classmethod
    def _sample(cls, value: Any) -> float | None:
        return parse_sample(value)

    @model_validator(mode="after")
    def _one_sampling(self) -> DatasetConfig:
        if self.sample is not None and self.sample_rows is not None:
            raise ValueError("give sample (a percentage) or sample_rows, not both")
        return self

    @property
    def sampled(self) -> bool:
        """Whether the dataset's samplable checks read a sample of its rows."""
        return self.sample is not None or self.sample_rows is not None

    @model_validator(mode="after")
    def _unique_check_names(self) -> DatasetConfig:
        from agent.checks.base import build_check

        seen: dict[str, int] = {}
        for index, spec in enumerate(self.checks):
            name = build_check(spec).name
            if name in seen:
                raise ValueError(
                    f"checks[{index}] and checks[{seen[name]}] are both named {name!r}; "
                    "give one of them a distinct `name`"
                )
            seen[name] = index
        validate_sla(self)
        return self

    @model_validator(mode="after")
    def _table_name(self) -> DatasetConfig:
        if self.schema_name is None:
            try:
                checked_table_name(self.table)
            except TableNameError as exc:
                raise ValueError(f"table: {exc}; or give `schema:` and the table's own name "
                                 "in `table`") from None
        return self

    def schema_and_table(self) -> tuple[str | None, str]:
        """(schema, table): ``schema`` and ``table`` as given, or both from ``table`` (see
        ``agent.config.identifiers``)."""
        if self.schema_name is not None:
            return self.schema_name, self.table
        return split_table_name(self.table)

    def check_specs(self) -> list[CheckSpec]:
        return list(self.checks)


def _default_state_dir() -> Path:
    return Path(os.environ.get("STATE_DIRECTORY", "state"))


class AgentConfig(StrictModel):
    listen: str = Field(default="0.0.0.0:9187", description="host:port of the HTTP server")
    state_dir: Path = Field(default_factory=_default_state_dir)
    history_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the history store; default SQLite in state_dir"
    )
    retention: Duration = Field(default=90 * 86400.0, description="How long history is kept.")
    shutdown_grace: Duration = 30.0
    max_concurrent_runs: int = Field(default=64, ge=1)

    @field_validator("listen")
    @classmethod
    def _host_port(cls, listen: str) -> str:
        if not re.match(r"^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$", listen):
            raise ValueError("expected host:port, e.g. 0.0.0.0:9187")
        return listen

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])

    def store_url(self) -> str:
        return self.history_url or f"sqlite:///{self.state_dir / 'history.db'}"


class Config(StrictModel):
    agent: AgentConfig = Field(default_factory=AgentConfig)
    warehouses: dict[str, WarehouseConfig] = Field(min_length=1)
    datasets: dict[str, DatasetConfig] = Field(default_factory=dict)
    rules: list[Path] = Field(
        default_factory=list,
        description="Rule files or directories of rule files (relative to this file); each rule "
        "runs as a dataset named by its rule_id, on its own schedule.",
    )
    contracts: list[Path] = Field(
        default_factory=list,
        description="Data contract files (relative to this file), compiled into datasets.",
    )
    dbt: list[DbtConfig] = Field(
        default_factory=list,
        description="dbt manifests whose tests become datasets (one per tested model or source), "
        "imported at load and on every reload.",
    )
    _rule_files: dict[str, RuleFile] = PrivateAttr(default_factory=dict)

    def with_included(
        self, datasets: dict[str, DatasetConfig], rule_files: dict[str, RuleFile]
    ) -> Config:
        """This config with the datasets of rule files and contracts merged in."""
        merged = self.model_copy(update={"datasets": datasets})
        merged._rule_files = dict(rule_files)
        return merged

    def rule_of(self, dataset: str) -> RuleFile | None:
        """The rule file a dataset comes from (those datasets are named by rule_id)."""
        return self._rule_files.get(dataset)

    def warehouse_of(self, dataset: str) -> str:
        name = self.datasets[dataset].warehouse
        return name if name is not None else next(iter(self.warehouses))


