"""Aggregates over a GROUP BY of the dataset, as uncorrelated scalar subqueries that still fuse
into the dataset's one SELECT (the database computes each once).

Why not the obvious forms, on PostgreSQL:
- ``col IN (SELECT col ... GROUP BY col HAVING count(*) > 1)`` inside an aggregate becomes a
  SubPlan; once the subquery's estimated size exceeds ``work_mem`` it is not hashed but rescanned
  for every row of the table, which is quadratic (minutes on a few million rows).
- ``count(DISTINCT col)`` in the fused SELECT rules out parallel aggregation for the whole
  statement (every other expression of the dataset is then computed by one process) and sorts
  the column; a GROUP BY in a scalar subquery is hashed and leaves the main scan parallel.

Hash or sort, on PostgreSQL: a GROUP BY of a column with millions of distinct values is hashed
and spills to disk in batches. When the column's values are stored in ascending order (a
sequential id, a generated reference: the planner's statistics give a correlation near 1), a
sort of the column finds its input already ordered and grouping the sorted rows costs about
half as much. The planner does not weigh that, so the single-column forms below ask
``pg_stats`` themselves: ``CASE WHEN <stored in order> THEN <sorted> ELSE <hashed> END``, where
PostgreSQL runs only the branch it takes. Both branches give the same exact number.

Cheaper still for such a column: one pass that compares each value with the one the scan
returned before it (``lag() OVER ()``, no sort). A sequence whose every value is greater than
the one before cannot repeat a value. When the pass proves that, there are no repeated keys and
as many distinct values as non-null rows; when it does not (a repeated or an out-of-order value,
rows interleaved by a parallel scan), the sorted GROUP BY counts them exactly. The proof holds
whatever order the rows came in, under the column's own comparison, the one GROUP BY groups by.
A statement holding the pass reads the table from its first block (``read_from_first_block``):
a synchronised scan joins one already running mid-table and returns the rows rotated, which
proves nothing.

Several such columns of one dataset (an id and a reference, say) share one pass
(``shared_ascending_proofs``): each row's value of every column is compared with the row before,
in one scan of the table instead of one per column. A column with a NULL proves nothing in the
shared pass (the row after the NULL has no value to compare with) and falls back to its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect, Subquery
from sqlalchemy.sql.visitors import ExternallyTraversible, iterate

from agent.checks.base import QueryContext

REPEATED_KEYS = "dq_repeated_keys"
DISTINCT_VALUES = "dq_distinct_values"
GROUPED_SUBQUERIES = frozenset({REPEATED_KEYS, DISTINCT_VALUES})
"""Names of the grouped derived tables below; ``agent.checks.subqueries`` recognises them."""
SORTED_VALUES = "dq_sorted_values"
VALUE_STEPS = "dq_value_steps"
ASCENDING_STEPS = "dq_ascending_steps"
"""The shared pass's summary (a CTE: one row, read by every column's proof)."""
GROUP_ROWS = "dq_group_rows"
"""The label of a group's row count in the grouped derived tables."""
STORED_IN_ORDER = 0.99
"""The planner-statistics correlation above which a column counts as stored in order."""


def _own_table(ctx: QueryContext, columns: list[str]) -> sa.TableClause:
    """A table clause of its own, so a subquery over it is not correlated with ``ctx.table``."""
    return sa.table(ctx.table.name, *(sa.column(c) for c in columns), schema=ctx.table.schema)


def _filtered(statement: sa.Select[Any], ctx: QueryContext) -> sa.Select[Any]:
    return statement.where(sa.text(ctx.where)) if ctx.where else statement


def _stored_in_order(ctx: QueryContext, column: str) -> ColumnElement[bool]:
    """PostgreSQL's statistics say ``column`` is stored in ascending order (false when the table
    was never analysed)."""
    stats = sa.table("pg_stats", sa.column("schemaname"), sa.column("tablename"),
                     sa.column("attname"), sa.column("correlation"), schema="pg_catalog")
    schema = sa.literal(ctx.table.schema) if ctx.table.schema else sa.func.current_schema()
    correlation = sa.select(sa.func.max(stats.c.correlation)).where(
        stats.c.schemaname == schema, stats.c.tablename == ctx.table.name,
        stats.c.attname == column,
    ).scalar_subquery()
    return sa.func.coalesce(correlation, 0) >= STORED_IN_ORDER


def _values(ctx: QueryContext, columns: list[str], *, ordered: bool) -> tuple[Any, list[Any]]:
    """The dataset's rows whose ``columns`` are all non-null: the table itself, or (``ordered``)
    a derived table of the columns sorted by them; and the key columns to group by."""
    table = _own_table(ctx, columns)
    present = [table.c[c].is_not(None) for c in columns]
    if not ordered:
        return table, [table.c[c] for c in columns]
    rows = _filtered(
        sa.select(*(table.c[c] for c in columns)).select_from(table).where(*present), ctx,
    ).order_by(*(table.c[c] for c in columns)).subquery(SORTED_VALUES)
    return rows, [rows.c[c] for c in columns]


def rows_if_strictly_ascending(ctx: QueryContext, column: str) -> ColumnElement[Any]:
    """The number of non-null values of ``column`` when one pass proves them all different
    (strictly ascending in scan order); NULL when it does not.

    See the module's docstring. Reads the table once, without sorting, in a single process.
    """
    table = _own_table(ctx, [column])
    value = table.c[column]
    steps = _filtered(
        sa.select(value.label("value"), sa.func.lag(value).over().label("previous"))
        .select_from(table).where(value.is_not(None)),
        ctx,
    ).subquery(VALUE_STEPS)
    steps_down = sa.func.count().filter(steps.c.previous >= steps.c.value)
    return sa.select(sa.case((steps_down == 0, sa.func.count()))).select_from(steps) \
        .scalar_subquery()


def proof_column(element: ExternallyTraversible) -> str | None:
    """The column ``element`` proves different when it is a ``rows_if_strictly_ascending``
    proof; None for anything else."""
    if not isinstance(element, ScalarSelect) or not isinstance(element.element, sa.Select):
        return None
    froms = element.element.get_final_froms()
    if len(froms) != 1 or not isinstance(froms[0], Subquery) or froms[0].name != VALUE_STEPS:
        return None
    inner = getattr(froms[0].element.selected_columns["value"], "element", None)
    return inner.name if isinstance(inner, sa.ColumnClause) else None


def shared_ascending_proofs(
    ctx: QueryContext, columns: list[str]
) -> Callable[[str, ColumnElement[Any]], ColumnElement[Any]]:
    """``prove(column, own)`` for each of ``columns``: what ``rows_if_strictly_ascending`` gives,
    from one pass over the table for all of them (a CTE a statement computes once however many
    proofs it holds); for a column holding a NULL, ``own`` (its own proof) instead. See the
    module's docstring."""
    table = _own_table(ctx, columns)
    steps_columns: list[ColumnElement[Any]] = []
    for index, column in enumerate(columns):
        steps_columns += [table.c[column].label(f"value_{index}"),
                          sa.func.lag(table.c[column]).over().label(f"previous_{index}")]
    steps = _filtered(sa.select(*steps_columns).select_from(table), ctx).subquery(VALUE_STEPS)
    summary_columns: list[ColumnElement[Any]] = [sa.func.count().label("row_count")]
    for index in range(len(columns)):
        value, previous = steps.c[f"value_{index}"], steps.c[f"previous_{index}"]
        summary_columns += [sa.func.count(value).label(f"values_{index}"),
                            sa.func.count().filter(previous >= value).label(f"down_{index}")]
    summary = sa.select(*summary_columns).select_from(steps).cte(ASCENDING_STEPS)

    def prove(column: str, own: ColumnElement[Any]) -> ColumnElement[Any]:
        index = columns.index(column)
        values = summary.c[f"values_{index}"]
        return sa.select(sa.case((values < summary.c.row_count, own),
                                 (summary.c[f"down_{index}"] == 0, values))) \
            .select_from(summary).scalar_subquery()

    return prove


def holds_subquery(expression: ExternallyTraversible, names: Collection[str]) -> bool:
    """Whether ``expression`` contains a derived table named one of ``names``."""
    return any(isinstance(element, Subquery) and element.name in names
               for element in iterate(expression))


def read_from_first_block(connection: Connection, statement: ExternallyTraversible) -> None:
    """Before ``statement`` runs on ``connection``: when it holds a one-pass proof on
    PostgreSQL, its transaction scans tables from their first block
    (``synchronize_seqscans = off``), so rows stored in order come back in order."""
    if connection.dialect.name == "postgresql" and holds_subquery(statement, {VALUE_STEPS}):
        connection.exec_driver_sql("SET LOCAL synchronize_seqscans = off")


def _by_storage_order(
    ctx: QueryContext, columns: list[str], build: Callable[[bool], ColumnElement[Any]],
    in_order: Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]],
) -> ColumnElement[Any]:
    """``build(ordered)`` as a sort where one column is stored in order on PostgreSQL, hashed
    otherwise. For a column stored in order, ``in_order(ascending_rows, sorted)`` combines the
    one-pass proof (``rows_if_strictly_ascending``, NULL when it proves nothing) with the sorted
    form, evaluating each once; see the module's docstring."""
    if ctx.dialect_name != "postgresql" or len(columns) != 1:
        return build(False)
    stored_in_order = in_order(rows_if_strictly_ascending(ctx, columns[0]), build(True))
    choice = sa.case((_stored_in_order(ctx, columns[0]), stored_in_order), else_=build(False))
    return sa.select(choice).scalar_subquery()


def repeated_key_rows(ctx: QueryContext, columns: list[str]) -> ColumnElement[Any]:
    """Rows of the dataset whose key (``columns``, none of them NULL) occurs more than once."""

    def build(ordered: bool) -> ColumnElement[Any]:
        source, key = _values(ctx, columns, ordered=ordered)
        # the key columns are selected too, so the derived table names its key
        # (``agent.checks.value_counts`` reads it)
        grouped = sa.select(*key, sa.func.count().label(GROUP_ROWS)).select_from(source)
        if not ordered:
            grouped = _filtered(grouped.where(*(column.is_not(None) for column in key)), ctx)
        groups = grouped.group_by(*key).having(sa.func.count() > 1).subquery(REPEATED_KEYS)
        return sa.select(
            sa.func.coalesce(sa.func.sum(groups.c[GROUP_ROWS]), 0)).scalar_subquery()

    return _by_storage_order(ctx, columns, build, lambda ascending_rows, sort: sa.case(
        (ascending_rows.is_not(None), sa.literal(0)), else_=sort))


def distinct_count(ctx: QueryContext, column: str) -> ColumnElement[Any]:
    """The number of distinct non-null values of ``column`` in the dataset.

    ``count(DISTINCT col)`` everywhere but PostgreSQL, where it is a GROUP BY in a scalar
    subquery (see the module's docstring).
    """
    if ctx.dialect_name != "postgresql":
        return sa.func.count(sa.distinct(ctx.col(column)))

    def build(ordered: bool) -> ColumnElement[Any]:
        source, (key,) = _values(ctx, [column], ordered=ordered)
        grouped = sa.select(key).select_from(source)
        if not ordered:
            grouped = _filtered(grouped.where(key.is_not(None)), ctx)
        values = grouped.group_by(key).subquery(DISTINCT_VALUES)
        return sa.select(sa.func.count()).select_from(values).scalar_subquery()

    return _by_storage_order(ctx, [column], build, sa.func.coalesce)
