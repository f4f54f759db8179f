"""Running user-written SQL safely: one read-only statement, in a read-only transaction."""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection

from agent.warehouses.errors import QueryRefused

_LEADING_COMMENTS = re.compile(r"^\s*(?:(?:--[^\n]*\n)|(?:/\*.*?\*/)|\s)*", re.DOTALL)
_READ_KEYWORDS = ("select", "with", "values", "table")


def ensure_single_select(sql: str, dialect_name: str) -> str:
    """``sql`` without a trailing semicolon, or QueryRefused when it is not one read statement."""
    statement = sql.strip().rstrip(";").strip()
    if not statement:
        raise QueryRefused("custom SQL is empty; write one SELECT statement")
    body = _LEADING_COMMENTS.sub("", statement)
    keyword = body.split(None, 1)[0].lower() if body else ""
    if keyword not in _READ_KEYWORDS:
        raise QueryRefused(
            f"custom SQL must be a single SELECT (or WITH ... SELECT) statement, got {keyword!r}"
        )
    if dialect_name == "duckdb":
        _ensure_duckdb_select(statement)
    elif ";" in _strip_literals(statement):
        raise QueryRefused("custom SQL must be a single statement; remove the ';' separators")
    return statement


def _strip_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "''", sql)


def _ensure_duckdb_select(statement: str) -> None:
    import duckdb

    try:
        parsed = duckdb.extract_statements(statement)
    except duckdb.Error as exc:
        raise QueryRefused(f"custom SQL does not parse: {exc}") from None
    if len(parsed) != 1 or parsed[0].type != duckdb.StatementType.SELECT:
        kinds = ", ".join(item.type.name for item in parsed)
        raise QueryRefused(f"custom SQL must be one SELECT statement, got: {kinds}")


def begin_read_only(connection: Connection) -> None:
    """Make the current transaction read-only where the dialect supports it."""
    name = connection.dialect.name
    if name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif name in {"mysql", "mariadb"}:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")


def end_read_only(connection: Connection) -> None:
    """Undo session-level settings of :func:`begin_read_only` before the connection is reused."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = OFF")
