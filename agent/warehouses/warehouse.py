"""A warehouse as the async side sees it: bounded concurrency, timeouts, health, off the loop."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from agent.config.models import WarehouseConfig
from agent.warehouses.engines import create_warehouse_engine
from agent.warehouses.errors import QueryRefused, QueryTimeout, WarehouseError, WarehouseUnavailable
from agent.warehouses.stats import WarehouseStats

T = TypeVar("T")
log = logging.getLogger(__name__)

_INTERRUPTIBLE = {"duckdb", "sqlite"}


class Warehouse:
    """Runs blocking SQLAlchemy work in a pool of at most ``max_concurrency`` threads."""

    def __init__(self, name: str, config: WarehouseConfig, engine: Engine | None = None) -> None:
        self.name = name
        self.config = config
        self.engine = engine or create_warehouse_engine(config)
        self.stats = WarehouseStats(name)
        self._executor = ThreadPoolExecutor(
            max_workers=config.max_concurrency, thread_name_prefix=f"wh-{name}"
        )
        self._slots = asyncio.Semaphore(config.max_concurrency)

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    async def run(self, work: Callable[[Connection], T], *, timeout: float | None = None) -> T:
        """``work(connection)`` in the pool; raises a WarehouseError subclass on failure."""
        limit = self.config.statement_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        self.stats.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.stats.waiting -= 1
        try:
            future = loop.run_in_executor(self._executor, self._call, work, limit)
            # The server-side timeout or the interrupt fires first; this only bounds a stuck driver.
            return await asyncio.wait_for(future, timeout=limit + 30.0)
        except TimeoutError:
            self.stats.record_error("timeout", limit, reachable=True)
            raise QueryTimeout(f"query exceeded {limit:g}s and did not return") from None
        finally:
            self._slots.release()

    def run_sync(self, work: Callable[[Connection], T], *, timeout: float | None = None) -> T:
        """The blocking form of :meth:`run`, for tools that have no event loop."""
        limit = self.config.statement_timeout if timeout is None else timeout
        return self._call(work, limit)

    def _call(self, work: Callable[[Connection], T], limit: float) -> T:
        started = time.perf_counter()
        try:
            connection = self.engine.connect()
        except sa.exc.DBAPIError as exc:
            self.stats.record_error("connection", time.perf_counter() - started, reachable=False)
            raise WarehouseUnavailable(_brief(exc)) from None
        timer = self._arm_interrupt(connection, limit)
        try:
            with connection:
                result = work(connection)
                connection.rollback()
        except QueryRefused:
            self.stats.record_error("refused", time.perf_counter() - started, reachable=True)
            raise
        except sa.exc.DBAPIError as exc:
            elapsed = time.perf_counter() - started
            if _is_timeout(exc, elapsed, limit):
                self.stats.record_error("timeout", elapsed, reachable=True)
                raise QueryTimeout(f"query exceeded the {limit:g}s statement timeout") from None
            if exc.connection_invalidated:
                self.stats.record_error("connection", elapsed, reachable=False)
                raise WarehouseUnavailable(_brief(exc)) from None
            self.stats.record_error("query", elapsed, reachable=True)
            raise WarehouseError(_brief(exc)) from None
        finally:
            if timer is not None:
                timer.cancel()
        self.stats.record_success(time.perf_counter() - started)
        return result

    def _arm_interrupt(self, connection: Connection, limit: float) -> threading.Timer | None:
        """Engines without a server-side statement timeout are interrupted from a timer thread."""
        if self.dialect_name not in _INTERRUPTIBLE:
            return None
        raw: Any = connection.connection.dbapi_connection
        interrupt = getattr(raw, "interrupt", None)
        if interrupt is None:
            return None
        timer = threading.Timer(limit, interrupt)
        timer.daemon = True
        timer.start()
        return timer

    async def ping(self) -> bool:
        """One trivial query; updates ``stats.up``."""
        try:
            await self.run(lambda conn: conn.execute(sa.text("SELECT 1")).scalar(), timeout=10.0)
        except WarehouseError:
            return False
        return True

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


def _is_timeout(exc: sa.exc.DBAPIError, elapsed: float, limit: float) -> bool:
    text = str(exc.orig).lower()
    markers = ("statement timeout", "canceling statement", "interrupt", "max_statement_time",
               "maximum statement execution time", "query execution was interrupted")
    return any(marker in text for marker in markers) or elapsed >= limit


def _brief(exc: sa.exc.DBAPIError) -> str:
    """The driver's message without SQLAlchemy's statement dump (which may carry parameters)."""
    message = str(exc.orig).strip().splitlines()
    return f"{type(exc.orig).__name__}: {message[0] if message else ''}"
