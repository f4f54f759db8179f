"""Counting and timing the SQL statements a driver sends: psycopg2 connections get a cursor
that records each statement with the seconds it took.

Both Great Expectations (through SQLAlchemy's psycopg2 dialect) and Soda's postgres data source
connect with ``psycopg2.connect``; patching it before they connect sees every statement.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg2
import psycopg2.extensions

STATEMENTS: list[tuple[float, str]] = []  # (seconds, SQL) in the order sent


def _text(query: Any) -> str:
    return query.decode() if isinstance(query, bytes) else str(query)


class CountingCursor(psycopg2.extensions.cursor):
    def execute(self, query: Any, vars: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return super().execute(query, vars)
        finally:
            STATEMENTS.append((time.perf_counter() - started, _text(query)))

    def executemany(self, query: Any, vars_list: Any) -> Any:
        started = time.perf_counter()
        try:
            return super().executemany(query, vars_list)
        finally:
            STATEMENTS.append((time.perf_counter() - started, _text(query)))


_connect = psycopg2.connect


def _counting_connect(*args: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("cursor_factory", CountingCursor)
    return _connect(*args, **kwargs)


def install() -> None:
    psycopg2.connect = _counting_connect
