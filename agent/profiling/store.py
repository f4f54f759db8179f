"""Profiles and their column sketches in the history store (tables of migration 3).

The profile document is JSON; each column sketch is stored as ``ColumnSketch.to_bytes()``, whose
parts are DataSketches' own binary formats.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agent.profiling.profile import Profile
from agent.sketches import ColumnSketch
from agent.store import schema
from agent.store.history import create_store_engine
from agent.store.migrations import migrate


@dataclass(frozen=True)
class StoredProfile:
    profile: Profile
    sketches: dict[str, ColumnSketch]
    pinned: bool


def new_profile_id(profile: Profile) -> str:
    return f"pr_{profile.profile_timestamp:%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:8]}"


class ProfileStore:
    """Blocking API over the history store's engine (migrated on open)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        migrate(engine)

    @classmethod
    def open(cls, url: str) -> ProfileStore:
        return cls(create_store_engine(url))

    def close(self) -> None:
        self.engine.dispose()

    def save(self, profile: Profile, sketches: dict[str, ColumnSketch], *, pinned: bool = False) -> Profile:
        """Store ``profile`` with its sketches; returns it with its new ``profile_id``."""
        stored = replace(profile, profile_id=profile.profile_id or new_profile_id(profile))
        assert stored.profile_id is not None
        with self.engine.begin() as connection:
            connection.execute(schema.profiles.insert().values(
                profile_id=stored.profile_id, dataset=stored.dataset, table_name=stored.table,
                ts=stored.profile_timestamp.timestamp(), row_count=stored.row_count,
                sampled=stored.sample != "all rows", method=stored.method,
                watermark=stored.watermark, pinned=pinned,
                document=json.dumps(stored.to_json(), default=str),
            ))
            rows = [
                {"profile_id": stored.profile_id, "column_name": name, "kind": sketch.kind,
                 "sketch": sketch.to_bytes()}
                for name, sketch in sketches.items()
            ]
            if rows:
                connection.execute(schema.profile_sketches.insert(), rows)
        return stored

    def pin(self, profile_id: str, pinned: bool = True) -> None:
        """Mark a profile as the drift reference of its dataset (unpinning the others)."""
        table = schema.profiles
        with self.engine.begin() as connection:
            found = connection.execute(
                sa.select(table.c.dataset).where(table.c.profile_id == profile_id)
            ).scalar()
            if found is None:
                raise KeyError(f"no stored profile {profile_id!r}")
            if pinned:
                connection.execute(table.update().where(table.c.dataset == found).values(pinned=False))
            connection.execute(
                table.update().where(table.c.profile_id == profile_id).values(pinned=pinned)
            )

    def prune(self, cutoff: float) -> int:
        """Delete profiles older than ``cutoff`` (epoch seconds) with their sketches, except pinned
        ones and each dataset's newest (the base of its next incremental profile)."""
        table, sketches = schema.profiles, schema.profile_sketches
        newest = (
            sa.select(table.c.dataset, sa.func.max(table.c.ts).label("ts"))
            .group_by(table.c.dataset).subquery()
        )
        with self.engine.begin() as connection:
            keep = {row.profile_id for row in connection.execute(
                sa.select(table.c.profile_id).join(
                    newest, sa.and_(table.c.dataset == newest.c.dataset, table.c.ts == newest.c.ts)))}
            doomed = [
                pid for pid in connection.execute(
                    sa.select(table.c.profile_id)
                    .where(table.c.ts < cutoff, table.c.pinned.is_(False))
                ).scalars()
                if pid not in keep
            ]
            for start in range(0, len(doomed), 500):
                chunk = doomed[start:start + 500]
                connection.execute(sketches.delete().where(sketches.c.profile_id.in_(chunk)))
                connection.execute(table.delete().where(table.c.profile_id.in_(chunk)))
        return len(doomed)

    def latest(self, dataset: str, *, full_only: bool = False) -> StoredProfile | None:
        """The newest profile of ``dataset`` (``full_only``: not sampled)."""
        found = self._select(schema.profiles.c.dataset == dataset, limit=1, full_only=full_only)
        return found[0] if found else None

    def recent(self, dataset: str, limit: int) -> list[StoredProfile]:
        return self._select(schema.profiles.c.dataset == dataset, limit=limit)

    def get(self, profile_id: str) -> StoredProfile | None:
        found = self._select(schema.profiles.c.profile_id == profile_id, limit=1)
        return found[0] if found else None

    def pinned(self, *, dataset: str | None = None, table: str | None = None) -> StoredProfile | None:
        condition = sa.and_(schema.profiles.c.pinned.is_(True), _owner(dataset, table))
        found = self._select(condition, limit=1)
        return found[0] if found else None

    def recent_for(self, *, dataset: str | None = None, table: str | None = None,
                   limit: int = 1, exclude: Sequence[str] = ()) -> list[StoredProfile]:
        """Newest profiles of a dataset or of a table (as written in the dataset config)."""
        condition = _owner(dataset, table)
        if exclude:
            condition = sa.and_(condition, schema.profiles.c.profile_id.not_in(list(exclude)))
        return self._select(condition, limit=limit)

    def _select(self, condition: sa.ColumnElement[bool], *, limit: int,
                full_only: bool = False) -> list[StoredProfile]:
        table = schema.profiles
        query = sa.select(table.c.profile_id, table.c.document, table.c.pinned).where(condition)
        if full_only:
            query = query.where(table.c.sampled.is_(False))
        query = query.order_by(table.c.ts.desc(), table.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.profile_id for row in rows]
            sketch_rows = connection.execute(
                sa.select(schema.profile_sketches.c.profile_id, schema.profile_sketches.c.column_name,
                          schema.profile_sketches.c.sketch)
                .where(schema.profile_sketches.c.profile_id.in_(ids))
            ).all() if ids else []
        sketches: dict[str, dict[str, ColumnSketch]] = {pid: {} for pid in ids}
        for row in sketch_rows:
            sketches[row.profile_id][row.column_name] = ColumnSketch.from_bytes(bytes(row.sketch))
        return [
            StoredProfile(Profile.from_json(json.loads(row.document)), sketches[row.profile_id],
                          bool(row.pinned))
            for row in rows
        ]


def _owner(dataset: str | None, table: str | None) -> sa.ColumnElement[bool]:
    if dataset is not None:
        return schema.profiles.c.dataset == dataset
    if table is not None:
        return schema.profiles.c.table_name == table
    raise ValueError("give a dataset or a table")
