"""Wiring and lifecycle of the daemon: config, warehouses, store, snapshot, scheduler, HTTP."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector

from agent.anomaly.monitor import judge_dataset
from agent.anomaly.publish import detection_rows, publish_verdicts
from agent.api.http import HttpApi
from agent.checks.results import CheckResult, Status
from agent.checks.runner import DatasetRun, DatasetRunner, freshness_of
from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.config.models import Config, DatasetConfig
from agent.profiling import references as profile_references
from agent.profiling.export import publish_profile
from agent.profiling.progress import Progress
from agent.profiling.service import collect_profile, effective_settings, previous_for
from agent.profiling.store import ProfileStore
from agent.quality import publish_quality, quality_score
from agent.rules.convert import dataset_config
from agent.rules.history import record_scheduled_run
from agent.rules.templates import now_utc
from agent.scheduler import DatasetScheduler
from agent.schema.drift import apply_drift, previous_schemas, publish_schema
from agent.sla.service import compliance_ratios, publish_compliance
from agent.snapshot import ResultsSnapshot
from agent.store.history import HistoryStore
from agent.store.lock import StoreLock
from agent.store.previous import history_checks, previous_results
from agent.warehouses.engines import safe_url
from agent.warehouses.warehouse import Warehouse
from exporter.collector import SnapshotCollector

log = logging.getLogger(__name__)
WAREHOUSE_PING_SECONDS = 30.0
PRUNE_SECONDS = 3600.0
PROFILE_JOB_PREFIX = "profile:"


class Agent:
    """One agent process. ``start`` brings it up; ``stop`` takes it down gracefully."""

    def __init__(self, config: Config, config_path: Path | None = None) -> None:
        self.config = config
        self.config_path = config_path
        self.snapshot = ResultsSnapshot()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(SnapshotCollector(self.snapshot))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self._store_lock = StoreLock(config.agent.store_url())
        self.warehouses: dict[str, Warehouse] = {}
        self.store: HistoryStore | None = None
        self.profile_store: ProfileStore | None = None
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.scheduler = DatasetScheduler(self.run_dataset, self.snapshot.scheduler)
        self._runner: web.AppRunner | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._ready = False
        self._stopping = asyncio.Event()

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, *, serve_http: bool = True) -> None:
        self._store_lock.acquire()
        self.store = await self._in_store_thread(HistoryStore, self.config.agent.store_url())
        self.snapshot.store_writes = self.store.write_durations
        self.profile_store = await self._in_store_thread(ProfileStore, self.store.engine)
        profile_references.install(self.profile_store)
        self._open_warehouses(self.config)
        self.snapshot.apply_config(self.config)
        await self._rebuild_snapshot()
        if serve_http:
            await self._serve_http()
        for name, dataset in self.config.datasets.items():
            self.scheduler.schedule(name, dataset)
        self.scheduler.add_periodic("warehouses:ping", WAREHOUSE_PING_SECONDS, self._ping_warehouses)
        self.scheduler.add_periodic("store:prune", PRUNE_SECONDS, self._prune)
        self._schedule_profiles()
        self.scheduler.start()
        await self._ping_warehouses()
        self._ready = True
        log.info("agent started: %d datasets on %d warehouses, listening on %s",
                 len(self.config.datasets), len(self.warehouses), self.config.agent.listen)

    async def stop(self) -> None:
        """Stop scheduling, let running checks finish within the grace period, flush, close."""
        self._ready = False
        # Pause first: shutting APScheduler's asyncio executor down cancels the runs in flight.
        self.scheduler.pause()
        if self._running:
            grace = self.config.agent.shutdown_grace
            _done, pending = await asyncio.wait(set(self._running), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("%d runs did not finish within %gs and were cancelled",
                            len(pending), grace)
        self.scheduler.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
        for warehouse in self.warehouses.values():
            warehouse.close()
        profile_references.install(None)
        if self.store is not None:
            await self._in_store_thread(self.store.close)
        self._store_thread.shutdown(wait=True)
        self._store_lock.release()
        log.info("agent stopped")

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._stopping.set)
        loop.add_signal_handler(signal.SIGINT, self._stopping.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        await self.start()
        await self._stopping.wait()
        await self.stop()

    def request_stop(self) -> None:
        self._stopping.set()

    @property
    def ready(self) -> bool:
        return self._ready

    # -- runs ---------------------------------------------------------------------------------
    async def run_dataset(self, name: str) -> DatasetRun | None:
        dataset = self.config.datasets.get(name)
        if dataset is None:
            return None
        warehouse = self.warehouses[self.config.warehouse_of(name)]
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        self.snapshot.scheduler.running += 1
        rule = self.config.rule_of(name)
        if rule is not None:  # a rule file's templates ({{ now - 1 hour }}) render per run
            dataset = dataset_config(rule, now_utc())
        try:
            previous = await self._previous_results(name, dataset)
            run = await DatasetRunner(name, dataset, warehouse, warehouses=self.warehouses,
                                      previous=previous).run()
            run = await self._judge_schema_drift(run)
            score = quality_score(run.results, dataset.quality)
            if score.overall is not None:
                run.metrics["quality_score"] = score.overall
            publish_quality(self.snapshot, run.warehouse, name, score)
            self.snapshot.record(
                name, run.results, started_at=run.started_at.timestamp(),
                duration=run.duration_seconds, row_count=run.row_count,
                freshness_seconds=run.freshness_seconds,
            )
            if self.store is not None:
                try:
                    await self._in_store_thread(record_scheduled_run, self.store, run, rule)
                except Exception:
                    log.exception("could not write the run to the history store",
                                  extra={"dataset": name})
            if dataset.anomaly is not None and self.store is not None:
                await self._judge_anomalies(name, run)
            await self._judge_freshness_sla(name, run.warehouse)
            failing = [r.check for r in run.results if r.status != Status.PASS]
            log.info("dataset run finished in %.3fs: %d checks, %d not passing",
                     run.duration_seconds, len(run.results), len(failing),
                     extra={"dataset": name})
            return run
        finally:
            self.snapshot.scheduler.running -= 1
            if task is not None:
                self._running.discard(task)

    async def _previous_results(self, name: str, dataset: DatasetConfig) -> dict[str, CheckResult]:
        """The last computed results of the dataset's checks that compare with history."""
        checks = history_checks(dataset)
        if not checks or self.store is None:
            return {}
        try:
            return await self._in_store_thread(previous_results, self.store, name, checks)
        except Exception:
            log.exception("could not read the previous results", extra={"dataset": name})
            return {}

    async def _judge_schema_drift(self, run: DatasetRun) -> DatasetRun:
        """Compare the run's schema snapshots with the previous run's and publish the gauges."""
        if not any(r.check_type == "schema_drift" for r in run.results):
            return run
        previous = {}
        if self.store is not None:
            try:
                recent = await self._in_store_thread(self.store.recent_runs, run.dataset, 5)
                previous = previous_schemas(recent)
            except Exception:
                log.exception("could not read the previous schema snapshot",
                              extra={"dataset": run.dataset})
        run = apply_drift(run, previous)
        publish_schema(self.snapshot, run)
        return run

    async def _judge_freshness_sla(self, name: str, warehouse: str) -> None:
        """Compliance with the dataset's freshness SLA over its windows, from the history."""
        dataset = self.config.datasets.get(name)
        if dataset is None or self.store is None:
            return
        try:
            ratios = await self._in_store_thread(
                compliance_ratios, self.store, name, dataset, time.time())
        except Exception:
            log.exception("freshness SLA compliance failed", extra={"dataset": name})
            return
        publish_compliance(self.snapshot, warehouse, name, ratios)

    async def _judge_anomalies(self, name: str, run: DatasetRun) -> None:
        dataset = self.config.datasets.get(name)
        if dataset is None or dataset.anomaly is None or self.store is None:
            return
        checks = [result.check for result in run.results]
        try:
            verdicts = await self._in_store_thread(
                judge_dataset, self.store, name, dataset.anomaly, checks)
            await self._in_store_thread(
                self.store.record_detections, name, run.started_at.timestamp(),
                detection_rows(verdicts))
        except Exception:
            log.exception("anomaly detection failed", extra={"dataset": name})
            return
        columns = {result.check: result.column for result in run.results}
        publish_verdicts(self.snapshot, run.warehouse, name, verdicts, columns)
        for verdict in verdicts:
            if verdict.result.is_anomaly:
                log.warning("anomaly in %s: observed %g, expected %g [%g, %g], score %.2f",
                            verdict.series.name, verdict.result.observed, verdict.result.expected,
                            verdict.result.lower, verdict.result.upper, verdict.result.score,
                            extra={"dataset": name, "check": verdict.series.check or None})

    # -- profiles -----------------------------------------------------------------------------
    def _schedule_profiles(self) -> None:
        """A job per dataset with a ``profile.schedule``, on its interval or cron times; jobs of
        datasets whose profile schedule went away are removed."""
        wanted: set[str] = set()
        for name, dataset in self.config.datasets.items():
            schedule = dataset.profile.parsed_schedule() if dataset.profile is not None else None
            if schedule is not None:
                wanted.add(f"{PROFILE_JOB_PREFIX}{name}")
                self.scheduler.add_scheduled(
                    f"{PROFILE_JOB_PREFIX}{name}", schedule,
                    functools.partial(self.profile_dataset, name))
        for job_id in self.scheduler.job_ids(PROFILE_JOB_PREFIX) - wanted:
            self.scheduler.remove(job_id)

    async def profile_dataset(self, name: str) -> None:
        """Profile, store and export one dataset's profile (a scheduled job)."""
        dataset = self.config.datasets.get(name)
        if dataset is None or dataset.profile is None or dataset.profile.schedule is None:
            return
        if self.profile_store is None:
            return
        warehouse = self.warehouses[self.config.warehouse_of(name)]
        settings = effective_settings(dataset)
        try:
            previous = await self._in_store_thread(previous_for, self.profile_store, name, settings)
            loop = asyncio.get_running_loop()
            run = await loop.run_in_executor(
                None, functools.partial(collect_profile, warehouse, name, dataset, settings, previous,
                                        progress=Progress.factory(tty=False)))
            saved = await self._in_store_thread(self.profile_store.save, run.profile, run.sketches)
        except Exception:
            log.exception("profiling failed", extra={"dataset": name})
            return
        series = publish_profile(self.snapshot, warehouse.name, saved, run.sketches,
                                 settings.export_columns)
        log.info("profiled %d rows in %.1fs (%s), %d column series exported", saved.row_count,
                 saved.duration_seconds, saved.sample, series, extra={"dataset": name})

    # -- configuration ------------------------------------------------------------------------
    async def reload(self) -> tuple[bool, str]:
        """Load the config file again; a bad one is rejected and the old one keeps running."""
        if self.config_path is None:
            return False, "the agent was not started from a config file"
        try:
            new = load_config(self.config_path)
            if new.agent != self.config.agent:
                log.warning("changes to the `agent` section take effect after a restart")
        except ConfigError as exc:
            self.snapshot.mark_reload_failed()
            log.error("config reload rejected, keeping the running config:\n%s", exc)
            return False, str(exc)
        old_warehouses = self.config.warehouses
        self.config = new
        changed_warehouses = {
            name for name in new.warehouses if old_warehouses.get(name) != new.warehouses[name]
        }
        for name in list(self.warehouses):
            if name not in new.warehouses or name in changed_warehouses:
                self.warehouses.pop(name).close()
        self._open_warehouses(new)
        datasets = dict(new.datasets)
        moved = {name for name in datasets if new.warehouse_of(name) in changed_warehouses}
        for name in moved:
            self.scheduler.unschedule(name)
        added, removed, changed = self.scheduler.apply(datasets)
        self.snapshot.apply_config(new)
        self._schedule_profiles()
        message = (f"config reloaded: {len(added)} added, {len(removed)} removed, "
                   f"{len(changed | moved)} changed")
        log.info(message)
        return True, message

    def _open_warehouses(self, config: Config) -> None:
        for name, warehouse_config in config.warehouses.items():
            if name not in self.warehouses:
                self.warehouses[name] = Warehouse(name, warehouse_config)
                log.info("warehouse %s at %s", name, safe_url(warehouse_config.url))
        self.snapshot.warehouses = {name: w.stats for name, w in self.warehouses.items()}

    async def _ping_warehouses(self) -> None:
        await asyncio.gather(*(w.ping() for w in self.warehouses.values()))

    async def _prune(self) -> None:
        if self.store is not None:
            cutoff = time.time() - self.config.agent.retention
            deleted = await self._in_store_thread(self.store.prune, cutoff)
            if self.profile_store is not None:
                deleted += await self._in_store_thread(self.profile_store.prune, cutoff)
            if deleted:
                log.info("pruned %d history rows older than the retention", deleted)

    async def _rebuild_snapshot(self) -> None:
        """Latest results from the store, so a restart does not blank /metrics."""
        assert self.store is not None
        stored = await self._in_store_thread(self.store.latest_runs)
        for run in stored:
            self.snapshot.record(
                run.dataset, run.results, started_at=run.started_at,
                duration=run.duration_seconds, row_count=run.row_count,
                freshness_seconds=freshness_of(run.results),
                count_runs=False,
            )
            recent = await self._in_store_thread(self.store.recent_runs, run.dataset, 50)
            for check in {r.check for r in run.results}:
                streak = 0
                for past in recent:
                    status = next((r.status for r in past.results if r.check == check), None)
                    if status is None or status == Status.PASS:
                        break
                    streak += 1
                self.snapshot.set_consecutive_failures(run.dataset, check, streak)
            if run.dataset in self.config.datasets:
                await self._judge_freshness_sla(
                    run.dataset, self.config.warehouse_of(run.dataset))
        if stored:
            log.info("restored the latest results of %d datasets from the history store",
                     len(stored))

    async def _serve_http(self) -> None:
        api = HttpApi(self.registry, self.snapshot, lambda: self._ready, self.reload)
        self._runner = web.AppRunner(api.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.agent.host, self.config.agent.port)
        await site.start()

    async def _in_store_thread(self, function: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, function, *args)
