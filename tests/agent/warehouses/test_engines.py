"""Engines per dialect: default drivers, secrets, pre-ping, pools and server-side timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.config.models import WarehouseConfig
from agent.warehouses.engines import create_warehouse_engine, safe_url, warehouse_url
from tests.support.backends import Backend
from tests.support.components import not_applicable


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("mysql://u@h/db", "mysql+pymysql"),
        ("mariadb://u@h/db", "mariadb+pymysql"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2"),
        ("duckdb:///x.duckdb", "duckdb"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_default_driver_per_dialect(url: str, driver: str) -> None:
    assert warehouse_url(WarehouseConfig(url=url)).drivername == driver


def test_password_from_the_config_or_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n", encoding="utf-8")
    from_file = warehouse_url(WarehouseConfig(url="postgresql://u@h/db", password_file=secret))
    inline = warehouse_url(WarehouseConfig(url="postgresql://u@h/db", password="in-line"))
    assert from_file.password == "from-file"
    assert inline.password == "in-line"
    assert "from-file" not in safe_url(from_file)
    assert safe_url(from_file) == "postgresql+psycopg://u:***@h/db"
    assert "in-line" not in repr(WarehouseConfig(url="postgresql://u@h/db", password="in-line"))


def test_pool_settings_and_pre_ping() -> None:
    config = WarehouseConfig(
        url="postgresql://u@h/db", pool={"size": 3, "max_overflow": 2, "recycle": "10m"}
    )
    engine = create_warehouse_engine(config)
    try:
        pool = engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        assert (pool.size(), pool._max_overflow, pool._recycle) == (3, 2, 600)
        assert pool._pre_ping is True
    finally:
        engine.dispose()


def test_duckdb_file_is_held_only_while_used(tmp_path: Path) -> None:
    engine = create_warehouse_engine(WarehouseConfig(url=f"duckdb:///{tmp_path / 'w.duckdb'}"))
    try:
        assert isinstance(engine.pool, sa.pool.NullPool)
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (a INTEGER)")
            connection.commit()
        # another process (a loader) can open the file for writing between runs
        import duckdb

        other = duckdb.connect(str(tmp_path / "w.duckdb"))
        other.execute("INSERT INTO t VALUES (1)")
        other.close()
    finally:
        engine.dispose()


async def test_server_side_statement_timeouts(backend: Backend) -> None:
    if backend.name not in {"postgresql", "mariadb"}:
        not_applicable("DuckDB and SQLite are interrupted from the client instead")
    engine = create_warehouse_engine(WarehouseConfig(
        url=backend.url, statement_timeout=1.5,
        connect_args={"options": "-c TimeZone=Asia/Kolkata"} if backend.name == "postgresql"
        else {},
    ))
    try:
        with engine.connect() as connection:
            if backend.name == "postgresql":
                assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "1500ms"
                assert connection.exec_driver_sql("SHOW TimeZone").scalar() == "Asia/Kolkata"
            else:
                value = connection.exec_driver_sql("SELECT @@max_statement_time").scalar()
                assert float(value) == 1.5
    finally:
        engine.dispose()


SETTING_QUERIES = {
    "postgresql": ("work_mem", "SHOW work_mem", "64MB"),
    "mariadb": ("sort_buffer_size", "SELECT @@session.sort_buffer_size", 1048576),
    "duckdb": ("threads", "SELECT current_setting('threads')", 1),
}


def test_session_settings_reach_every_session(backend: Backend) -> None:
    if backend.name == "sqlite":
        not_applicable("SQLite has no session settings (the config refuses them)")
    name, query, value = SETTING_QUERIES[backend.name]
    engine = create_warehouse_engine(WarehouseConfig(url=backend.url, session_settings={name: value}))
    try:
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert str(connection.exec_driver_sql(query).scalar()) == str(value)
                if backend.name == "postgresql":  # off by default, for the agent's sessions
                    assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        engine.dispose()


def test_postgresql_jit_can_be_turned_back_on(postgres_backend: Backend) -> None:
    engine = create_warehouse_engine(
        WarehouseConfig(url=postgres_backend.url, session_settings={"jit": True}))
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "on"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "settings", "message"),
    [
        ("postgresql://u@h/db", {"work_mem": "64MB; DROP TABLE t"}, "is not a plain value"),
        ("postgresql://u@h/db", {"work mem": "64MB"}, "is not a setting name"),
        ("sqlite:///x.db", {"cache_size": 100}, "SQLite has no session settings"),
    ],
)
def test_session_settings_refuse_what_they_cannot_pass_on(
    url: str, settings: dict[str, str | int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        WarehouseConfig(url=url, session_settings=settings)
