"""The latest results in memory: written by runs, read by the exporter at scrape time."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from agent.checks.results import CheckResult, Status
from agent.config.models import Config, DatasetConfig
from agent.warehouses.stats import HistogramData, WarehouseStats

LabelKey = tuple[tuple[str, str], ...]


@dataclass
class DatasetState:
    name: str
    warehouse: str
    config: DatasetConfig
    check_names: set[str]
    results: dict[str, CheckResult] = field(default_factory=dict)
    consecutive_failures: dict[str, int] = field(default_factory=dict)
    runs_total: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    last_run_at: float | None = None
    last_run_duration: float | None = None
    last_run_success: bool | None = None
    row_count: int | None = None
    freshness_seconds: float | None = None


@dataclass
class SchedulerState:
    lag_seconds: dict[str, float] = field(default_factory=dict)
    misfires: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    running: int = 0


class ResultsSnapshot:
    """Thread-safe; every reader gets consistent copies."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.datasets: dict[str, DatasetState] = {}
        self.warehouses: dict[str, WarehouseStats] = {}
        self.scheduler = SchedulerState()
        self.store_writes: HistogramData | None = None
        self.config_reload_successful: bool = True
        self.config_reload_timestamp: float | None = None
        # Gauges other features publish by catalogue name: family -> dataset -> labels -> value.
        self._published: dict[str, dict[str, dict[LabelKey, float]]] = {}

    # -- configuration -------------------------------------------------------------------------
    def apply_config(self, config: Config, ok: bool = True) -> None:
        """Track exactly the configured datasets and checks; the rest disappears from /metrics."""
        from agent.checks.base import build_check

        with self._lock:
            self.config_reload_successful = ok
            if not ok:
                return
            self.config_reload_timestamp = time.time()
            for name in list(self.datasets):
                if name not in config.datasets:
                    del self.datasets[name]
            for family in self._published.values():
                for name in list(family):
                    if name not in config.datasets:
                        del family[name]
            for name, dataset in config.datasets.items():
                checks = {build_check(spec).name for spec in dataset.check_specs()}
                state = self.datasets.get(name)
                warehouse = config.warehouse_of(name)
                if state is None or state.warehouse != warehouse:
                    self.datasets[name] = DatasetState(name, warehouse, dataset, checks)
                    continue
                state.config, state.check_names = dataset, checks
                for check in list(state.results):
                    if check not in checks:
                        del state.results[check]
                        state.consecutive_failures.pop(check, None)
                for key in list(state.runs_total):
                    if key[0] not in checks:
                        del state.runs_total[key]

    def mark_reload_failed(self) -> None:
        with self._lock:
            self.config_reload_successful = False

    # -- results ------------------------------------------------------------------------------
    def record(
        self, dataset: str, results: list[CheckResult], *, started_at: float, duration: float,
        row_count: int | None, freshness_seconds: float | None, count_runs: bool = True,
    ) -> None:
        with self._lock:
            state = self.datasets.get(dataset)
            if state is None:
                return  # removed from the config while it ran
            for result in results:
                if result.check not in state.check_names:
                    continue
                state.results[result.check] = result
                failing = result.status != Status.PASS
                previous = state.consecutive_failures.get(result.check, 0)
                state.consecutive_failures[result.check] = previous + 1 if failing else 0
                if count_runs:
                    state.runs_total[(result.check, result.status.value)] += 1
            state.last_run_at = started_at
            state.last_run_duration = duration
            state.last_run_success = all(r.status != Status.ERROR for r in results)
            if row_count is not None:
                state.row_count = row_count
            state.freshness_seconds = freshness_seconds

    def set_consecutive_failures(self, dataset: str, check: str, count: int) -> None:
        with self._lock:
            state = self.datasets.get(dataset)
            if state is not None and check in state.check_names:
                state.consecutive_failures[check] = count

    def publish(self, family: str, dataset: str, labels: dict[str, str], value: float) -> None:
        """Set a gauge of ``family`` (a catalogue name) for ``dataset``."""
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._published.setdefault(family, {}).setdefault(dataset, {})[key] = value

    def clear_published(self, family: str, dataset: str) -> None:
        with self._lock:
            self._published.get(family, {}).pop(dataset, None)

    def published(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        with self._lock:
            return {
                family: [(dict(key), value) for per in datasets.values() for key, value in per.items()]
                for family, datasets in self._published.items()
            }

    def copy_datasets(self) -> list[DatasetState]:
        with self._lock:
            return [
                DatasetState(
                    name=s.name, warehouse=s.warehouse, config=s.config,
                    check_names=set(s.check_names), results=dict(s.results),
                    consecutive_failures=dict(s.consecutive_failures),
                    runs_total=defaultdict(int, s.runs_total), last_run_at=s.last_run_at,
                    last_run_duration=s.last_run_duration, last_run_success=s.last_run_success,
                    row_count=s.row_count, freshness_seconds=s.freshness_seconds,
                )
                for s in self.datasets.values()
            ]

    def freshness_summary(self, state: DatasetState) -> dict[str, Any]:
        """Age, SLA and SLA compliance per window of one dataset, for the API."""
        from agent.sla.config import sla_seconds
        from agent.sla.service import COMPLIANCE_FAMILY

        with self._lock:
            published = self._published.get(COMPLIANCE_FAMILY, {}).get(state.name, {})
            ratios = {dict(key)["window"]: value for key, value in published.items()}
        return {"age_seconds": state.freshness_seconds, "sla_seconds": sla_seconds(state.config),
                "sla_compliance": ratios}

    def summary(self) -> list[dict[str, Any]]:
        """Datasets, checks and last status, for the landing page and the API."""
        return [
            {
                "dataset": state.name, "warehouse": state.warehouse,
                "table": state.config.table, "last_run_at": state.last_run_at,
                "freshness": self.freshness_summary(state),
                "checks": [
                    {"check": name,
                     "status": state.results[name].status.value if name in state.results else None,
                     "observed_value": state.results[name].outcome.observed_value
                     if name in state.results else None}
                    for name in sorted(state.check_names)
                ],
            }
            for state in self.copy_datasets()
        ]
