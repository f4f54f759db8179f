"""Reusable SQLAlchemy Core building blocks for check expressions (never string SQL)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from agent.checks.fixed_patterns import fixed_shape


def count_rows() -> ColumnElement[Any]:
    return sa.func.count()


def count_non_null(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return sa.func.count(column)


class count_where(FunctionElement[Any]):
    """Rows where ``condition`` is true; rows where it is NULL (a NULL input) do not count.

    Rendered ``sum(CASE WHEN condition THEN 1 ELSE 0 END)`` (NULL over no rows); a node of its
    own so the planner can read the condition back (``agent.checks.value_counts``)."""

    type = sa.Integer()
    inherit_cache = True
    name = "count_where"

    def __init__(self, condition: ColumnElement[bool]) -> None:
        super().__init__(condition)

    @property
    def condition(self) -> ColumnElement[bool]:
        return next(iter(self.clauses))


@compiles(count_where)
def _count_where(element: count_where, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(sa.func.sum(sa.case((element.condition, 1), else_=0)), **kw)


class regex_matches(FunctionElement[bool]):
    """``column`` matches ``pattern`` anywhere (search semantics), compiled for each dialect.

    Not cached by SQLAlchemy: on PostgreSQL the SQL depends on the pattern's value (a
    fixed-shape pattern compiles to cheaper tests, ``agent.checks.fixed_patterns``), which a
    cache keyed on the statement's structure would reuse for another pattern."""

    type = sa.Boolean()
    inherit_cache = False
    name = "regex_matches"


@compiles(regex_matches)
def _regex_default(element: regex_matches, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return compiler.process(column.regexp_match(pattern), **kw)


@compiles(regex_matches, "duckdb")
def _regex_duckdb(element: regex_matches, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return compiler.process(sa.func.regexp_matches(column, pattern), **kw)


@compiles(regex_matches, "postgresql")
def _regex_postgresql(element: regex_matches, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    value = pattern.value if isinstance(pattern, BindParameter) else None
    shape = fixed_shape(value) if isinstance(value, str) and pattern.callable is None else None
    if shape is not None:
        return f"({compiler.process(shape.condition(column), **kw)})"
    return f"({compiler.process(column, **kw)} ~ {compiler.process(pattern, **kw)})"


@compiles(regex_matches, "mysql")
@compiles(regex_matches, "mariadb")
def _regex_mysql(element: regex_matches, compiler: SQLCompiler, **kw: Any) -> str:
    """REGEXP follows the column's collation, case-insensitive by default (utf8mb4_general_ci);
    the leading ``(?-i)`` makes the match case-sensitive like every other dialect's."""
    column, pattern = list(element.clauses)
    sensitive = sa.func.concat(sa.literal("(?-i)"), pattern)
    return f"({compiler.process(column, **kw)} REGEXP {compiler.process(sensitive, **kw)})"


def inline_number(value: float) -> ColumnElement[Any]:
    """A numeric bound rendered into the SQL text, so the warehouse types it like a hand-written
    literal (a float parameter would make PostgreSQL cast a NUMERIC column on every row)."""
    number: int | float = int(value) if float(value).is_integer() else float(value)
    return sa.literal(number, literal_execute=True)


def as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return sa.cast(column, sa.String)
