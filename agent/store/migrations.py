"""Versioned schema migrations. Each step runs once, in order, in its own transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from agent.store import schema


def _v1_initial(connection: Connection) -> None:
    for table in (schema.validation_rules, schema.validation_runs, schema.metric_points):
        table.create(connection, checkfirst=True)


def _v2_anomalies(connection: Connection) -> None:
    schema.anomaly_detections.create(connection, checkfirst=True)
    schema.anomaly_feedback.create(connection, checkfirst=True)


def _v3_profiles(connection: Connection) -> None:
    schema.profiles.create(connection, checkfirst=True)
    schema.profile_sketches.create(connection, checkfirst=True)


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "rules, runs and metric points", _v1_initial),
    (2, "anomaly detections and user feedback", _v2_anomalies),
    (3, "dataset profiles and their column sketches", _v3_profiles),
)
LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(connection: Connection) -> int:
    schema.schema_version.create(connection, checkfirst=True)
    found = connection.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar()
    return int(found or 0)


def migrate(engine: Engine) -> int:
    """Apply pending migrations; returns the schema version now in force.

    A store written by a newer agent is refused rather than modified, so no data is lost.
    """
    with engine.begin() as connection:
        version = current_version(connection)
    if version > LATEST_VERSION:
        raise RuntimeError(
            f"the history store is at schema version {version}, newer than this agent's "
            f"{LATEST_VERSION}; upgrade dq-agent or point agent.history_url at another store"
        )
    for number, _description, step in MIGRATIONS:
        if number <= version:
            continue
        with engine.begin() as connection:
            step(connection)
            connection.execute(
                schema.schema_version.insert().values(version=number, applied_at=time.time())
            )
        version = number
    return version
