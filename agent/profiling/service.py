"""One profile from start to finish: choose full, sampled, incremental or pushdown, read the
warehouse, store the result. Shared by ``dq-agent profile`` and the agent's scheduled profiles."""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.engine import Connection

from agent.config.models import DatasetConfig
from agent.profiling.config import ProfileConfig
from agent.profiling.incremental import incremental_profile
from agent.profiling.profile import Profile
from agent.profiling.profiler import ProfileRun, ProgressFactory, profile_dataset
from agent.profiling.pushdown import pushdown_profile
from agent.profiling.store import ProfileStore, StoredProfile
from agent.warehouses.readonly import begin_read_only, end_read_only
from agent.warehouses.warehouse import Warehouse

log = logging.getLogger(__name__)


def effective_settings(dataset: DatasetConfig, *, full: bool = False) -> ProfileConfig:
    """The dataset's profile settings; ``full`` drops sampling and incremental reading."""
    settings = dataset.profile or ProfileConfig()
    if full:
        settings = settings.model_copy(update={"sample": None, "sample_rows": None, "incremental": None})
    return settings


def previous_for(store: ProfileStore | None, name: str, settings: ProfileConfig) -> StoredProfile | None:
    """The stored profile an incremental run continues from (None: start with a full read)."""
    if settings.incremental is None:
        return None
    if store is None:
        raise ValueError(f"dataset {name!r}: incremental profiles need the history store")
    previous = store.latest(name, full_only=True)
    return previous if previous is not None and previous.profile.watermark is not None else None


def collect_profile(
    warehouse: Warehouse,
    name: str,
    dataset: DatasetConfig,
    settings: ProfileConfig,
    previous: StoredProfile | None = None,
    *,
    progress: ProgressFactory | None = None,
) -> ProfileRun:
    """Read the warehouse (blocking) and build the profile with its sketches; stores nothing."""

    def work(connection: Connection) -> ProfileRun:
        begin_read_only(connection)
        try:
            if settings.pushdown and connection.dialect.name == "duckdb":
                return pushdown_profile(connection, name, dataset, settings=settings)
            if settings.pushdown:
                log.warning("profile.pushdown is only implemented for DuckDB; sketching instead",
                            extra={"dataset": name})
            if settings.incremental is not None:
                return incremental_profile(connection, name, dataset, previous, settings=settings,
                                           progress=progress)
            return profile_dataset(connection, name, dataset, settings=settings, progress=progress)
        finally:
            end_read_only(connection)

    run = warehouse.run_sync(work, timeout=settings.timeout)
    profile = replace(run.profile, extra={**run.profile.extra, "warehouse": warehouse.name})
    return replace(run, profile=profile)


def run_profile(
    warehouse: Warehouse,
    store: ProfileStore | None,
    name: str,
    dataset: DatasetConfig,
    settings: ProfileConfig,
    *,
    progress: ProgressFactory | None = None,
    pin: bool = False,
) -> Profile:
    """Profile ``dataset`` on ``warehouse``; stores profile and sketches when ``store`` is given."""
    previous = previous_for(store, name, settings)
    run = collect_profile(warehouse, name, dataset, settings, previous, progress=progress)
    profile = run.profile
    if store is not None:
        profile = store.save(profile, run.sketches, pinned=pin)
        if pin:
            assert profile.profile_id is not None
            store.pin(profile.profile_id)
    return profile
