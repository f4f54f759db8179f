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
    elif any(_has_separator(statement, *lexer) for lexer in _LEXERS):
        raise QueryRefused("custom SQL must be a single statement; remove the ';' separators")
    return statement


# Quoting and comment rules differ between dialects and server settings: backslash escapes (in
# every MySQL string, in PostgreSQL only in E'' strings), PostgreSQL dollar quotes and nested
# comments, MySQL '#' comments and '-- ' only with a space. A ';' hidden from one reading can
# separate statements in another, so the query is refused when any reading finds a separator
# outside quotes and comments.
_LEXERS = [
    (backslash, dollar, hash_comment, dash_needs_space, nested)
    for backslash in ("never", "always", "e_prefix") for dollar in (False, True)
    for hash_comment in (False, True) for dash_needs_space in (False, True)
    for nested in (False, True)
]
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def _has_separator(
    sql: str, backslash: str, dollar: bool, hash_comment: bool, dash_needs_space: bool,
    nested: bool,
) -> bool:
    """Whether ``sql`` read with these rules has a ';' outside literals, identifiers, comments."""
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char == ";":
            return True
        if char in "'\"`":
            escapes = char != "`" and (
                backslash == "always" or (backslash == "e_prefix" and _e_prefixed(sql, i))
            )
            i = _end_of_quoted(sql, i, escapes=escapes)
        elif _line_comment_at(sql, i, hash_comment, dash_needs_space):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i) and not sql.startswith(("/*!", "/*M!"), i):
            i = _end_of_block_comment(sql, i, nested=nested)
        elif char == "$" and dollar and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(), tag.end())
            i = n if end < 0 else end + len(tag.group())
        else:
            i += 1
    return False


def _e_prefixed(sql: str, quote: int) -> bool:
    """Whether the quote at ``quote`` opens a PostgreSQL E'' string."""
    return (
        quote >= 1 and sql[quote - 1] in "eE"
        and (quote == 1 or sql[quote - 2] not in _IDENTIFIER_CHARS)
    )


def _line_comment_at(sql: str, i: int, hash_comment: bool, dash_needs_space: bool) -> bool:
    if sql[i] == "#":
        return hash_comment
    if not sql.startswith("--", i):
        return False
    return not dash_needs_space or i + 2 >= len(sql) or sql[i + 2] in " \t\r\n"


def _end_of_block_comment(sql: str, start: int, *, nested: bool) -> int:
    depth, i, n = 1, start + 2, len(sql)
    while i < n:
        if sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0 or not nested:
                return i
        elif nested and sql.startswith("/*", i):
            depth += 1
            i += 2
        else:
            i += 1
    return n


def _end_of_quoted(sql: str, start: int, *, escapes: bool) -> int:
    """Index after the literal or quoted identifier opening at ``start`` (doubled quotes and,
    with ``escapes``, backslash-escaped characters stay inside)."""
    quote, i, n = sql[start], start + 1, len(sql)
    while i < n:
        if escapes and sql[i] == "\\":
            i += 2
        elif sql[i] == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n


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
    if name == "postgresql" or name in {"mysql", "mariadb"}:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")


def end_read_only(connection: Connection) -> None:
    """Undo session-level settings of :func:`begin_read_only` before the connection is reused."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = OFF")
