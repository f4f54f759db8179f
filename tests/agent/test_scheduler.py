"""The scheduler: first run at start, interval and cron triggers, no overlap, misfires counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.config.models import DatasetConfig, parse_schedule
from agent.scheduler import DatasetScheduler, trigger_for
from agent.snapshot import SchedulerState


def dataset(schedule: str, jitter: str = "0s") -> DatasetConfig:
    return DatasetConfig.model_validate({"table": "t", "schedule": schedule, "jitter": jitter})


def test_triggers_from_schedules() -> None:
    interval = trigger_for(dataset("90s", jitter="5s"))
    assert isinstance(interval, IntervalTrigger)
    assert interval.interval.total_seconds() == 90 and interval.jitter == 5
    cron = trigger_for(dataset("0 9 * * 1-5"))
    assert isinstance(cron, CronTrigger)
    # A Saturday morning: the next run is Monday 09:00 (crontab weekday 1 is Monday).
    saturday = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert cron.get_next_fire_time(None, saturday) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    sunday_only = trigger_for(dataset("0 0 * * 0"))
    assert sunday_only.get_next_fire_time(None, saturday) == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


async def test_first_run_at_start_and_no_overlap() -> None:
    state = SchedulerState()
    started: list[float] = []
    running = 0
    max_running = 0

    async def slow_run(name: str) -> None:
        nonlocal running, max_running
        running += 1
        max_running = max(max_running, running)
        started.append(asyncio.get_running_loop().time())
        await asyncio.sleep(1.5)
        running -= 1

    scheduler = DatasetScheduler(slow_run, state)
    scheduler.schedule("orders", dataset("1s"))
    scheduler.start()
    try:
        await asyncio.sleep(3.4)
    finally:
        scheduler.shutdown()
    assert max_running == 1
    assert started, "the first run happens at start"
    # Runs that came due while the previous one was still running were skipped and counted.
    assert state.misfires[("orders", "overlap")] >= 1
    assert "orders" in state.lag_seconds and state.lag_seconds["orders"] < 1.0


async def test_apply_keeps_unchanged_timers() -> None:
    state = SchedulerState()

    async def run(name: str) -> None:
        return None

    scheduler = DatasetScheduler(run, state)
    scheduler.schedule("a", dataset("1h"), run_now=False)
    scheduler.schedule("b", dataset("1h"), run_now=False)
    scheduler.start()
    try:
        job_a = scheduler._scheduler.get_job("dataset:a")
        before = job_a.next_run_time
        added, removed, changed = scheduler.apply(
            {"a": dataset("1h"), "b": dataset("2h"), "c": dataset("5m")}
        )
        assert (added, removed, changed) == ({"c"}, set(), {"b"})
        assert scheduler._scheduler.get_job("dataset:a").next_run_time == before
        added, removed, changed = scheduler.apply({"c": dataset("5m")})
        assert removed == {"a", "b"} and scheduler._scheduler.get_job("dataset:a") is None
    finally:
        scheduler.shutdown()


async def test_add_scheduled_fires_on_cron_times_and_remove() -> None:
    state = SchedulerState()
    fired: list[datetime] = []

    async def run(name: str) -> None:
        return None

    async def work() -> None:
        fired.append(datetime.now(UTC))

    scheduler = DatasetScheduler(run, state)
    # Sundays 03:00 (crontab weekday 0), not every nominal week from now.
    scheduler.add_scheduled("profile:a", parse_schedule("0 3 * * 0"), work)
    scheduler.add_scheduled("profile:b", parse_schedule("1s"), work)
    scheduler.start()
    try:
        cron = scheduler._scheduler.get_job("profile:a")
        assert isinstance(cron.trigger, CronTrigger)
        saturday = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
        assert cron.trigger.get_next_fire_time(None, saturday) == datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
        next_run = cron.next_run_time
        assert next_run.weekday() == 6 and (next_run.hour, next_run.minute) == (3, 0)
        await asyncio.sleep(2.3)
        assert len(fired) >= 2, "the interval job ran"
        assert scheduler.job_ids("profile:") == {"profile:a", "profile:b"}
        scheduler.remove("profile:b")
        scheduler.remove("profile:missing")
        assert scheduler.job_ids("profile:") == {"profile:a"}
    finally:
        scheduler.shutdown()
