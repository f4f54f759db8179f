"""What a check produces: an Outcome from evaluation, a CheckResult once it is labelled and timed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


# Outcome details shown in the JSON of a result: both sides of a reconciliation, the previous
# run a change was measured against, failing-row samples (masked when configured).
SHOWN_DETAILS = ("sides", "previous", "failing_rows", "failing_rows_error")


@dataclass(frozen=True)
class Outcome:
    """A check's verdict on the values it asked for."""

    success: bool
    observed_value: float | int | str | None = None
    expected_min: float | int | str | None = None
    expected_max: float | int | str | None = None
    expected_value: Any = None
    element_count: int | None = None
    missing_count: int | None = None
    unexpected_count: int | None = None
    unexpected_ratio: float | None = None
    message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def failed_with_error(cls, message: str) -> Outcome:
        return cls(success=False, message=message, details={"error": True})


@dataclass(frozen=True)
class CheckResult:
    """One check's run, with everything the store, the exporter and the CLI need."""

    warehouse: str
    dataset: str
    check: str
    check_type: str
    column: str
    severity: str
    dimension: str
    status: Status
    outcome: Outcome
    started_at: datetime
    duration_seconds: float
    error: str | None = None
    estimated_from: str | None = None
    """The sample the result was measured on ("1% (bernoulli)"): its counts are extrapolated
    estimates. None when every row was read."""

    @property
    def success(self) -> bool:
        return self.status == Status.PASS

    @property
    def estimated(self) -> bool:
        return self.estimated_from is not None

    def to_json(self) -> dict[str, Any]:
        """The per-check JSON of ``dq-agent check --format json``."""
        outcome = self.outcome
        data: dict[str, Any] = {
            "check": self.check,
            "dataset": self.dataset,
            "expectation": self.check_type,
            "column": self.column or None,
            "severity": self.severity,
            "status": self.status.value,
            "success": self.success,
            "observed_value": _jsonable(outcome.observed_value),
        }
        if outcome.expected_value is not None:
            data["expected_value"] = _jsonable(outcome.expected_value)
        else:
            data["expected_range"] = [
                _jsonable(outcome.expected_min), _jsonable(outcome.expected_max)
            ]
        data.update(
            element_count=outcome.element_count,
            missing_count=outcome.missing_count,
            unexpected_count=outcome.unexpected_count,
            unexpected_percent=(
                None if outcome.unexpected_ratio is None else outcome.unexpected_ratio * 100.0
            ),
            error=self.error if self.error is not None else outcome.message,
            execution_time_ms=round(self.duration_seconds * 1000.0, 3),
            estimated=self.estimated,
        )
        if self.estimated_from is not None:
            data["sample"] = self.estimated_from
        data.update({key: _jsonable(outcome.details[key])
                     for key in SHOWN_DETAILS if key in outcome.details})
        return data

    def to_record(self) -> dict[str, Any]:
        """A JSON-safe dict from which :func:`from_record` rebuilds the result (history store)."""
        return {
            "warehouse": self.warehouse, "dataset": self.dataset, "check": self.check,
            "check_type": self.check_type, "column": self.column, "severity": self.severity,
            "dimension": self.dimension, "status": self.status.value,
            "outcome": {k: _jsonable(v) for k, v in asdict(self.outcome).items()},
            "started_at": self.started_at.isoformat(),
            "duration_seconds": self.duration_seconds, "error": self.error,
            **({"estimated_from": self.estimated_from} if self.estimated_from is not None else {}),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CheckResult:
        return cls(
            warehouse=record["warehouse"], dataset=record["dataset"], check=record["check"],
            check_type=record["check_type"], column=record["column"],
            severity=record["severity"], dimension=record.get("dimension", ""),
            status=Status(record["status"]), outcome=Outcome(**record["outcome"]),
            started_at=datetime.fromisoformat(record["started_at"]),
            duration_seconds=float(record["duration_seconds"]), error=record.get("error"),
            estimated_from=record.get("estimated_from"),
        )


def _jsonable(value: Any) -> Any:
    """Values as JSON can carry them: datetimes as ISO 8601, Decimals as floats."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def numeric(value: Any) -> float | None:
    """``value`` as a float for export, or None when it has no numeric meaning."""
    if value is None or isinstance(value, bool | str):
        return float(value) if isinstance(value, bool) else None
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
