"""Real warehouses for tests: DuckDB and SQLite files, and throw-away schemas on the running
PostgreSQL and MariaDB servers. In CI a server that cannot be reached fails the test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.support.components import tcp_reachable, unavailable

PG_HOST = os.environ.get("DQ_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("DQ_TEST_PG_PORT", "5432"))
PG_URL = os.environ.get("DQ_TEST_PG_URL", f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test")
MARIADB_HOST = os.environ.get("DQ_TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("DQ_TEST_MARIADB_PORT", "3306"))
MARIADB_URL = os.environ.get(
    "DQ_TEST_MARIADB_URL", f"mysql+pymysql://root@{MARIADB_HOST}:{MARIADB_PORT}/test"
)
BACKENDS = ("duckdb", "sqlite", "postgresql", "mariadb")


@dataclass
class Backend:
    """A place to create tables, and the URL the agent uses to reach them."""

    name: str
    url: str
    schema: str | None
    engine: sa.Engine

    def qualified(self, table: str) -> str:
        return f"{self.schema}.{table}" if self.schema else table

    def create_table(
        self, name: str, columns: dict[str, sa.types.TypeEngine[Any]],
        rows: Sequence[dict[str, Any]] = (),
    ) -> sa.Table:
        metadata = sa.MetaData(schema=self.schema)
        table = sa.Table(name, metadata, *(sa.Column(c, t) for c, t in columns.items()))
        with self.engine.begin() as connection:
            table.drop(connection, checkfirst=True)
            table.create(connection)
            if rows:
                connection.execute(table.insert(), list(rows))
        return table

    def execute(self, sql: str) -> None:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(sql)


@contextmanager
def open_backend(name: str, tmp_path: Path) -> Iterator[Backend]:
    if name == "duckdb":
        url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield Backend(name, url, None, engine)
        engine.dispose()
    elif name == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        engine = sa.create_engine(url)
        yield Backend(name, url, None, engine)
        engine.dispose()
    elif name == "postgresql":
        if not tcp_reachable(PG_HOST, PG_PORT):
            unavailable(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
        schema = f"dqt_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(PG_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            yield Backend(name, PG_URL, schema, engine)
        finally:
            with engine.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            engine.dispose()
    elif name == "mariadb":
        if not tcp_reachable(MARIADB_HOST, MARIADB_PORT):
            unavailable(f"MariaDB is not reachable at {MARIADB_HOST}:{MARIADB_PORT}")
        database = f"dqt_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(MARIADB_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE `{database}`")
        try:
            yield Backend(name, MARIADB_URL, database, engine)
        finally:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP DATABASE `{database}`")
            engine.dispose()
    else:
        raise ValueError(f"unknown backend {name}")
