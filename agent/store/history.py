"""The history store's API: append runs and metric points, read series and latest results."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from agent.checks.results import CheckResult, numeric
from agent.checks.runner import DatasetRun
from agent.store import schema
from agent.store.migrations import migrate
from agent.warehouses.stats import HistogramData

WRITE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass(frozen=True)
class StoredRun:
    run_id: str
    dataset: str
    warehouse: str
    started_at: float
    duration_seconds: float
    overall_result: str
    row_count: int | None
    results: list[CheckResult]


def create_store_engine(url: str) -> Engine:
    """An engine for the store; SQLite gets WAL, a busy timeout and its folder created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return engine


class HistoryStore:
    """Blocking API; the agent calls it from one dedicated thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self.schema_version = migrate(self.engine)
        self.write_durations = HistogramData(WRITE_BUCKETS)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -----------------------------------------------------------------------------
    def record_run(self, run: DatasetRun, rule_id: str | None = None) -> None:
        started = time.perf_counter()
        ts = run.started_at.timestamp()
        with self.engine.begin() as connection:
            connection.execute(schema.validation_runs.insert().values(
                run_id=run.run_id, dataset=run.dataset, warehouse=run.warehouse, rule_id=rule_id,
                started_at=ts, duration_seconds=run.duration_seconds,
                overall_result="success" if run.overall_success else "failure",
                row_count=run.row_count,
                results=json.dumps([result.to_record() for result in run.results]),
            ))
            points = list(_points_of(run, ts))
            if points:
                connection.execute(schema.metric_points.insert(), points)
        self.write_durations.observe(time.perf_counter() - started)

    def record_points(self, dataset: str, check: str, values: dict[str, float], ts: float) -> None:
        rows = [{"dataset": dataset, "check_name": check, "metric": metric, "ts": ts, "value": v}
                for metric, v in values.items()]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(schema.metric_points.insert(), rows)

    def register_rule(self, rule_id: str, dataset: str, definition: dict[str, Any]) -> int:
        """Store ``definition``; a changed definition gets the next version. Returns the version."""
        text = json.dumps(definition, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()
        rules = schema.validation_rules
        with self.engine.begin() as connection:
            latest = connection.execute(
                sa.select(rules.c.version, rules.c.content_hash)
                .where(rules.c.rule_id == rule_id).order_by(rules.c.version.desc()).limit(1)
            ).first()
            if latest is not None and latest.content_hash == digest:
                return int(latest.version)
            version = 1 if latest is None else int(latest.version) + 1
            connection.execute(rules.insert().values(
                rule_id=rule_id, dataset=dataset, version=version, content_hash=digest,
                definition=text, created_at=time.time(),
            ))
            return version

    def prune(self, older_than: float) -> int:
        """Delete runs and points older than the Unix time ``older_than``; returns rows deleted."""
        with self.engine.begin() as connection:
            runs = connection.execute(
                schema.validation_runs.delete().where(schema.validation_runs.c.started_at < older_than)
            ).rowcount
            points = connection.execute(
                schema.metric_points.delete().where(schema.metric_points.c.ts < older_than)
            ).rowcount
            detections = connection.execute(
                schema.anomaly_detections.delete()
                .where(schema.anomaly_detections.c.ts < older_than)
            ).rowcount
        return int(runs or 0) + int(points or 0) + int(detections or 0)

    def record_detections(self, dataset: str, ts: float, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.engine.begin() as connection:
                connection.execute(schema.anomaly_detections.insert(),
                                   [{"dataset": dataset, "ts": ts, **row} for row in rows])

    def mark_false_positive(self, dataset: str, metric: str, ts: float) -> None:
        """A user says the point of ``metric`` at ``ts`` was no anomaly."""
        with self.engine.begin() as connection:
            connection.execute(schema.anomaly_feedback.insert().values(
                dataset=dataset, metric=metric, ts=ts, kind="false_positive",
                created_at=time.time()))

    def false_positives(self, dataset: str) -> dict[str, list[float]]:
        """Timestamps users marked as false positives, per metric of ``dataset``."""
        feedback = schema.anomaly_feedback
        query = sa.select(feedback.c.metric, feedback.c.ts).where(
            feedback.c.dataset == dataset, feedback.c.kind == "false_positive")
        marked: dict[str, list[float]] = {}
        with self.engine.connect() as connection:
            for metric, ts in connection.execute(query):
                marked.setdefault(metric, []).append(float(ts))
        return marked

    def detections(self, dataset: str, metric: str, limit: int = 100) -> list[dict[str, Any]]:
        table = schema.anomaly_detections
        query = (sa.select(table).where(table.c.dataset == dataset, table.c.metric == metric)
                 .order_by(table.c.ts.desc()).limit(limit))
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # -- reading -----------------------------------------------------------------------------
    def series(self, dataset: str, check: str, metric: str, limit: int = 1000) -> list[tuple[float, float]]:
        """The last ``limit`` points of one series, oldest first."""
        points = schema.metric_points
        query = (
            sa.select(points.c.ts, points.c.value)
            .where(points.c.dataset == dataset, points.c.check_name == check,
                   points.c.metric == metric)
            .order_by(points.c.ts.desc()).limit(limit)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [(float(ts), float(value)) for ts, value in reversed(rows)]

    def series_since(self, dataset: str, check: str, metric: str, since: float,
                     ) -> list[tuple[float, float]]:
        """Every point of one series from the Unix time ``since`` on, oldest first."""
        points = schema.metric_points
        query = (
            sa.select(points.c.ts, points.c.value)
            .where(points.c.dataset == dataset, points.c.check_name == check,
                   points.c.metric == metric, points.c.ts >= since)
            .order_by(points.c.ts)
        )
        with self.engine.connect() as connection:
            return [(float(ts), float(value)) for ts, value in connection.execute(query)]

    def recent_runs(self, dataset: str, limit: int = 20) -> list[StoredRun]:
        """The dataset's last ``limit`` runs, newest first."""
        runs = schema.validation_runs
        query = (sa.select(runs).where(runs.c.dataset == dataset)
                 .order_by(runs.c.started_at.desc()).limit(limit))
        with self.engine.connect() as connection:
            return [_stored(row) for row in connection.execute(query).mappings()]

    def latest_runs(self) -> list[StoredRun]:
        """The newest run of every dataset."""
        runs = schema.validation_runs
        newest = (sa.select(runs.c.dataset, sa.func.max(runs.c.started_at).label("started_at"))
                  .group_by(runs.c.dataset).subquery())
        query = sa.select(runs).join(
            newest, sa.and_(runs.c.dataset == newest.c.dataset,
                            runs.c.started_at == newest.c.started_at)
        )
        with self.engine.connect() as connection:
            return [_stored(row) for row in connection.execute(query).mappings()]

    def count_runs(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(
                sa.select(sa.func.count()).select_from(schema.validation_runs)).scalar_one())


def _stored(row: Any) -> StoredRun:
    return StoredRun(
        run_id=row["run_id"], dataset=row["dataset"], warehouse=row["warehouse"],
        started_at=float(row["started_at"]), duration_seconds=float(row["duration_seconds"]),
        overall_result=row["overall_result"], row_count=row["row_count"],
        results=[CheckResult.from_record(item) for item in json.loads(row["results"])],
    )


def _points_of(run: DatasetRun, ts: float) -> Iterable[dict[str, Any]]:
    def point(check: str, metric: str, value: float | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"dataset": run.dataset, "check_name": check, "metric": metric, "ts": ts,
                "value": value}

    candidates = [
        point("", "row_count", None if run.row_count is None else float(run.row_count)),
        point("", "freshness_seconds", run.freshness_seconds),
    ]
    for result in run.results:
        candidates.append(point(result.check, "observed_value", numeric(result.outcome.observed_value)))
        candidates.append(point(result.check, "unexpected_ratio", result.outcome.unexpected_ratio))
    for name, value in run.metrics.items():
        candidates.append(point("", name, value))
    return (item for item in candidates if item is not None)
