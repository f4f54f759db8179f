"""Scheduling dataset runs with APScheduler: one job per dataset, never two overlapping runs."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.config.models import DatasetConfig, Schedule
from agent.snapshot import SchedulerState

log = logging.getLogger(__name__)
JOB_PREFIX = "dataset:"


def trigger_for(config: DatasetConfig) -> BaseTrigger:
    return schedule_trigger(config.schedule, int(config.jitter) if config.jitter else None)


def schedule_trigger(schedule: Schedule, jitter: int | None = None) -> BaseTrigger:
    """An interval trigger, or a cron trigger firing on the expression's own times (UTC)."""
    if schedule.interval is not None:
        return IntervalTrigger(seconds=schedule.interval, jitter=jitter, timezone=UTC)
    return CronTrigger(**cron_fields(schedule.cron or ""), jitter=jitter, timezone=UTC)


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_fields(expression: str) -> dict[str, str]:
    """APScheduler fields for a crontab line; crontab weekdays (0 or 7 = Sunday) become names,
    since APScheduler numbers weekdays from Monday."""
    minute, hour, day, month, day_of_week = expression.split()
    day_of_week = re.sub(r"(?<![/\d])[0-7](?!\d)", lambda m: _DAY_NAMES[int(m.group())], day_of_week)
    return {"minute": minute, "hour": hour, "day": day, "month": month,
            "day_of_week": day_of_week}


class DatasetScheduler:
    """Owns the APScheduler instance; ``run_dataset(name)`` is awaited for every due run."""

    def __init__(
        self, run_dataset: Callable[[str], Awaitable[object]], state: SchedulerState
    ) -> None:
        self._run_dataset = run_dataset
        self._state = state
        self._configs: dict[str, DatasetConfig] = {}
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )
        self._scheduler.add_listener(
            self._on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_SUBMITTED
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def pause(self) -> None:
        if self._scheduler.running:
            self._scheduler.pause()

    @property
    def scheduled(self) -> dict[str, DatasetConfig]:
        return dict(self._configs)

    def schedule(self, name: str, config: DatasetConfig, *, run_now: bool = True) -> None:
        """Add (or replace) the dataset's job; with ``run_now`` its first run is immediate."""
        interval = config.schedule.nominal_interval
        self._scheduler.add_job(
            self._run_dataset, trigger=trigger_for(config), args=[name], id=JOB_PREFIX + name,
            name=name, replace_existing=True,
            misfire_grace_time=max(1, int(interval / 2)) if interval else 60,
            **({"next_run_time": datetime.now(UTC)} if run_now else {}),
        )
        self._configs[name] = config

    def unschedule(self, name: str) -> None:
        if self._scheduler.get_job(JOB_PREFIX + name) is not None:
            self._scheduler.remove_job(JOB_PREFIX + name)
        self._configs.pop(name, None)

    def apply(self, datasets: dict[str, DatasetConfig]) -> tuple[set[str], set[str], set[str]]:
        """Reschedule what changed; unchanged datasets keep their timers.

        Returns the names added, removed and changed.
        """
        current = set(self._configs)
        wanted = set(datasets)
        added, removed = wanted - current, current - wanted
        changed = {name for name in wanted & current if datasets[name] != self._configs[name]}
        for name in removed:
            self.unschedule(name)
        for name in added | changed:
            self.schedule(name, datasets[name])
        return added, removed, changed

    def add_periodic(self, job_id: str, seconds: float, work: Callable[[], Awaitable[None]]) -> None:
        self.add_scheduled(job_id, Schedule(interval=seconds), work)

    def add_scheduled(
        self, job_id: str, schedule: Schedule, work: Callable[[], Awaitable[None]]
    ) -> None:
        """Add (or replace) a job run every interval or on its cron expression's times."""
        interval = schedule.nominal_interval
        self._scheduler.add_job(
            work, trigger=schedule_trigger(schedule), id=job_id, replace_existing=True,
            misfire_grace_time=max(1, int(interval / 2)) if interval else 60,
        )

    def remove(self, job_id: str) -> None:
        """Remove a job added by :meth:`add_scheduled` (no error when there is none)."""
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def job_ids(self, prefix: str) -> set[str]:
        return {job.id for job in self._scheduler.get_jobs() if job.id.startswith(prefix)}

    def _on_event(self, event: JobEvent) -> None:
        job_id = str(event.job_id)
        if not job_id.startswith(JOB_PREFIX):
            return
        dataset = job_id.removeprefix(JOB_PREFIX)
        if event.code == EVENT_JOB_SUBMITTED and isinstance(event, JobSubmissionEvent):
            scheduled = min(event.scheduled_run_times)
            self._state.lag_seconds[dataset] = max(
                0.0, (datetime.now(UTC) - scheduled).total_seconds()
            )
        elif event.code == EVENT_JOB_MISSED:
            self._state.misfires[(dataset, "missed")] += 1
            log.warning("run missed its grace time", extra={"dataset": dataset})
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            self._state.misfires[(dataset, "overlap")] += 1
            log.warning("previous run still running; this run is skipped",
                        extra={"dataset": dataset})
