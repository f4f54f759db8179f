"""Single-column counts over a column's distinct values (PostgreSQL).

Every count a check makes of the rows where a condition on one column holds (nulls, a value set,
a range, a length, a regular expression) costs the fused scan something on every row; a regular
expression costs PostgreSQL about a microsecond a row, far more than anything else a fused scan
computes. When the same column is also grouped anyway (its uniqueness or distinct count, a
statement of its own beside the scan: ``agent.checks.subqueries``) and has few distinct values
for its rows, those counts move into that grouping: each condition runs once per distinct value,
weighted by the value's row count, which gives exactly the same count (``sum(n) over the groups
whose value satisfies it``), and the scan no longer evaluates it.

That holds only where the rows of one group are the same value to every condition: a ``text``
or ``varchar`` column with a deterministic collation (a group's values are the same bytes). A
number is not (``1.0`` and ``1.00`` are one numeric group with two texts), nor is a string under
a case-insensitive collation or a ``char(n)`` (equal whatever its trailing blanks). Whether a
column qualifies and has few distinct values comes from the catalogue and the planner
statistics (``pg_stats``), read in one small query, only for datasets where something could
move. A column never analysed, stored in order (grouped by a sort, see ``agent.checks.grouped``),
with more than ``MAX_DISTINCT_SHARE`` distinct values per row or not a string as above keeps its
counts in the scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ColumnClause, ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlalchemy.sql.visitors import ExternallyTraversible, iterate, replacement_traverse

from agent.checks.expressions import count_where
from agent.checks.grouped import DISTINCT_VALUES, GROUP_ROWS, REPEATED_KEYS, STORED_IN_ORDER
from agent.checks.planner import DatasetPlan, fold_emptied_queries

MAX_DISTINCT_SHARE = 0.5
"""Distinct values per row above which grouping first saves too little work."""
VALUE_COUNTS = "dq_value_counts"


@dataclass(frozen=True)
class ColumnStats:
    distinct_share: float | None  # estimated distinct values per row; None: unknown
    correlation: float | None  # of the stored order with the value order
    same_string_groups: bool = False
    """``text`` or ``varchar`` with a deterministic collation: the rows of a group hold the same
    bytes (not so for ``char(n)``, equal whatever its trailing blanks, or ``citext``)."""

    @property
    def stored_in_order(self) -> bool:
        """The column's values are stored in ascending order (see ``agent.checks.grouped``)."""
        return self.correlation is not None and self.correlation >= STORED_IN_ORDER


@dataclass
class GroupedStatement:
    """One statement giving several expression keys' values, in ``keys`` order."""

    keys: list[str]
    statement: sa.Select[Any]


@dataclass(frozen=True)
class _Movable:
    column: str
    grouped: dict[str, str]  # kind (REPEATED_KEYS / DISTINCT_VALUES) -> expression key
    counts: dict[str, ColumnElement[bool]]  # expression key -> condition on the column alone


def grouped_column(expression: ColumnElement[Any]) -> tuple[str, str] | None:
    """(kind, column) of a single-column grouped subquery of ``agent.checks.grouped``."""
    for element in iterate(expression):
        if isinstance(element, Subquery) and element.name in (REPEATED_KEYS, DISTINCT_VALUES):
            keys = [column.name for column in element.c if column.name != GROUP_ROWS]
            return (element.name, keys[0]) if len(keys) == 1 else None
    return None


def _value_column(condition: ColumnElement[bool], table: sa.TableClause) -> str | None:
    """The one column of ``table`` a condition reads, or None when it reads anything else as
    well (another column, a subquery) or nothing."""
    names: set[str] = set()
    for element in iterate(condition):
        if isinstance(element, sa.Select | Subquery):
            return None
        if isinstance(element, ColumnClause):
            if element.table is not table:
                return None
            names.add(element.name)
    return names.pop() if len(names) == 1 else None


def _movable(plan: DatasetPlan) -> list[_Movable]:
    grouped: dict[str, dict[str, str]] = {}
    for key, expression in plan.subqueries.items():
        found = grouped_column(expression)
        if found is not None:
            grouped.setdefault(found[1], {})[found[0]] = key
    counts: dict[str, dict[str, ColumnElement[bool]]] = {}
    for query in plan.queries:
        if query.sampled:
            continue
        for key, expression in query.expressions.items():
            condition = _counted_condition(expression)
            if condition is None:
                continue
            column = _value_column(condition, plan.context.table)
            if column is not None and column in grouped:
                counts.setdefault(column, {})[key] = condition
    return [_Movable(column, grouped[column], found) for column, found in counts.items()]


def _counted_condition(expression: ColumnElement[Any]) -> ColumnElement[bool] | None:
    """The condition whose rows ``expression`` counts: a ``count_where``'s, or ``IS NOT NULL``
    for ``count(column)``; None for any other aggregate."""
    if isinstance(expression, count_where):
        return expression.condition
    if isinstance(expression, sa.sql.functions.count):
        arguments = list(expression.clauses)
        if len(arguments) == 1 and isinstance(arguments[0], ColumnClause):
            return arguments[0].is_not(None)
    return None


def movable_columns(plan: DatasetPlan) -> list[str]:
    """Columns whose counts could move into their grouping (stats decide): those with a count
    of more than their NULLs or non-NULLs, which alone save too little to ask the catalogue."""
    return [movable.column for movable in _movable(plan)
            if not all(_is_null_test(condition) for condition in movable.counts.values())]


def _is_null_test(condition: ColumnElement[bool]) -> bool:
    return (isinstance(condition, BinaryExpression)
            and condition.operator in (operators.is_, operators.is_not))


def read_column_stats(
    connection: Connection, table: sa.TableClause, columns: Iterable[str]
) -> dict[str, ColumnStats]:
    """PostgreSQL's planner statistics and catalogue facts of ``columns`` (absent: never
    analysed)."""
    preparer = connection.dialect.identifier_preparer
    qualified = ".".join(preparer.quote(part) for part in (table.schema, table.name) if part)
    statement = sa.text(
        "SELECT s.attname, s.n_distinct, s.correlation,"
        " (SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(:qualified)),"
        " (SELECT a.atttypid IN ('pg_catalog.text'::regtype, 'pg_catalog.varchar'::regtype)"
        "  AND coalesce(l.collisdeterministic, true)"
        "  FROM pg_catalog.pg_attribute a"
        "  LEFT JOIN pg_catalog.pg_collation l ON l.oid = a.attcollation"
        "  WHERE a.attrelid = to_regclass(:qualified) AND a.attname = s.attname)"
        " FROM pg_catalog.pg_stats s"
        " WHERE s.schemaname = coalesce(:schema, current_schema()) AND s.tablename = :table"
        " AND s.attname IN :columns"
    ).bindparams(sa.bindparam("columns", expanding=True))
    rows = connection.execute(statement, {
        "qualified": qualified, "schema": table.schema, "table": table.name,
        "columns": sorted(set(columns)),
    })
    stats: dict[str, ColumnStats] = {}
    for name, n_distinct, correlation, reltuples, same_string_groups in rows:
        share: float | None = None
        if n_distinct is not None and n_distinct < 0:
            share = -float(n_distinct)
        elif n_distinct is not None and reltuples is not None and float(reltuples) > 0:
            share = min(1.0, float(n_distinct) / float(reltuples))
        stats[str(name)] = ColumnStats(
            distinct_share=share, correlation=None if correlation is None else float(correlation),
            same_string_groups=bool(same_string_groups))
    return stats


def _worth_grouping(stats: ColumnStats | None) -> bool:
    return (stats is not None and stats.same_string_groups and stats.distinct_share is not None
            and stats.distinct_share <= MAX_DISTINCT_SHARE
            and not stats.stored_in_order)


def move_value_counts(plan: DatasetPlan, stats: Mapping[str, ColumnStats]) -> list[str]:
    """Move the single-column counts of every column ``stats`` finds worth it into one grouped
    statement per column (replacing the column's grouped subqueries); the columns moved."""
    moved: list[str] = []
    for movable in _movable(plan):
        if not _worth_grouping(stats.get(movable.column)):
            continue
        plan.grouped_statements.append(_statement(plan, movable))
        for key in movable.grouped.values():
            del plan.subqueries[key]
        for query in plan.queries:
            for key in movable.counts:
                if key in query.expressions and not query.sampled:
                    del query.expressions[key]
                    del query.labels[key]
        moved.append(movable.column)
    if moved:
        fold_emptied_queries(plan.queries)
    return moved


def _statement(plan: DatasetPlan, movable: _Movable) -> GroupedStatement:
    """``SELECT <counts> FROM (SELECT col, count(*) FROM t [WHERE ...] GROUP BY col)``."""
    ctx = plan.context
    own = sa.table(ctx.table.name, sa.column(movable.column), schema=ctx.table.schema)
    grouping = sa.select(own.c[movable.column], sa.func.count().label(GROUP_ROWS)).select_from(own)
    if plan.where:
        grouping = grouping.where(sa.text(plan.where))
    groups = grouping.group_by(own.c[movable.column]).subquery(VALUE_COUNTS)
    value, rows = groups.c[movable.column], groups.c[GROUP_ROWS]

    def rows_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return sa.cast(sa.func.sum(sa.case((condition, rows), else_=0)), sa.BigInteger)

    def on_groups(element: ExternallyTraversible, **_kw: Any) -> ExternallyTraversible | None:
        if isinstance(element, ColumnClause) and element.table is ctx.table:
            return value
        return None

    keys: list[str] = []
    columns: list[ColumnElement[Any]] = []
    for kind, key in movable.grouped.items():
        keys.append(key)
        if kind == REPEATED_KEYS:
            repeated = sa.and_(value.is_not(None), rows > 1)
            columns.append(sa.func.coalesce(rows_where(repeated), 0))
        else:
            columns.append(sa.func.count(value))
    for key, condition in movable.counts.items():
        keys.append(key)
        columns.append(rows_where(replacement_traverse(condition, {}, on_groups)))
    statement = sa.select(*(column.label(f"v{i}") for i, column in enumerate(columns)))
    return GroupedStatement(keys=keys, statement=statement.select_from(groups))
