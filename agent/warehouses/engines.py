"""SQLAlchemy engines for each supported dialect, with server-side timeouts where they exist."""

from __future__ import annotations

import re
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from agent.config.models import WarehouseConfig

POSTGRESQL_SESSION_DEFAULTS: dict[str, str | int | float | bool] = {"jit": "off"}
"""What the agent sets on its PostgreSQL sessions unless ``session_settings`` says otherwise:
JIT compiles every expression of a statement in each parallel worker before the scan starts,
and a fused SELECT has dozens of them, so compiling costs more than it saves (on a 5-million-row
table about two seconds of a ten-second scan)."""

# DuckDB opening one database file from two threads at once can fail with "Unique file handle
# conflict"; with NullPool every run opens the file, so opens are serialised in this process.
_DUCKDB_OPEN_LOCK = threading.Lock()

_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql",
                    "mariadb": "mariadb+pymysql"}


def warehouse_url(config: WarehouseConfig) -> URL:
    """The configured URL with the default driver of its dialect and the password filled in."""
    url = make_url(config.url)
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    password = config.resolved_password()
    if password is not None:
        url = url.set(password=password)
    return url


def create_warehouse_engine(config: WarehouseConfig) -> Engine:
    """An engine with pre-ping, pool limits and a per-statement timeout for ``config``."""
    url = warehouse_url(config)
    backend = url.get_backend_name()
    timeout_ms = int(config.statement_timeout * 1000)
    connect_args: dict[str, Any] = dict(config.connect_args)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if backend == "postgresql":
        connect_args.setdefault("connect_timeout", int(max(1, config.connect_timeout)))
        settings = {**POSTGRESQL_SESSION_DEFAULTS, **config.session_settings,
                    "statement_timeout": timeout_ms}
        given = connect_args.get("options", "")
        connect_args["options"] = " ".join(
            [given, *(f"-c {name}={_setting(value)}" for name, value in settings.items())]).strip()
    elif backend in {"mysql", "mariadb"}:
        connect_args.setdefault("connect_timeout", int(max(1, config.connect_timeout)))
    if backend == "duckdb" and url.database not in (None, "", ":memory:"):
        # Hold the database file only while a run needs it, so loaders can write in between.
        kwargs["poolclass"] = NullPool
    elif backend != "sqlite" or url.database not in (None, "", ":memory:"):
        kwargs.update(
            pool_size=config.pool.size,
            max_overflow=config.pool.max_overflow,
            pool_recycle=int(config.pool.recycle),
            pool_timeout=config.pool.timeout,
        )
    engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
    if backend in {"mysql", "mariadb"}:
        _set_mysql_timeout(engine, timeout_ms)
    if backend in {"mysql", "mariadb", "duckdb"} and config.session_settings:
        _set_on_connect(engine, config.session_settings)
    if backend == "duckdb":
        _serialise_duckdb_opens(engine)
    return engine


def _setting(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _set_on_connect(engine: Engine, settings: dict[str, str | int | float | bool]) -> None:
    """``SET name = value`` for each of ``settings`` on every new connection (names and values
    are plain words, checked by the config)."""
    prefix = "SET" if engine.dialect.name == "duckdb" else "SET SESSION"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for name, value in settings.items():
                text = _setting(value)
                rendered = text if re.fullmatch(r"[0-9.+-]+|on|off|true|false", text) else f"'{text}'"
                cursor.execute(f"{prefix} {name} = {rendered}")
        finally:
            cursor.close()


def _serialise_duckdb_opens(engine: Engine) -> None:
    @event.listens_for(engine, "do_connect")
    def _on_do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        with _DUCKDB_OPEN_LOCK:
            return dialect.connect(*cargs, **cparams)


def _set_mysql_timeout(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT VERSION()")
            version = str(cursor.fetchone()[0])
            if "mariadb" in version.lower():
                cursor.execute(f"SET SESSION max_statement_time = {timeout_ms / 1000.0:.3f}")
            else:
                cursor.execute(f"SET SESSION max_execution_time = {timeout_ms}")
        finally:
            cursor.close()


def safe_url(url: str | URL) -> str:
    """The URL for logs and metrics: the password is never shown."""
    return make_url(url).render_as_string(hide_password=True)
