"""Fusing a dataset's checks: identical aggregate expressions are computed once, all of them in
one SELECT (split past ``MAX_EXPRESSIONS_PER_QUERY``); checks that need their own statement are
kept apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.sql.util import ClauseAdapter

from agent.checks.base import AggregateCheck, Check, QueryCheck, QueryContext, build_check
from agent.checks.expressions import count_rows
from agent.checks.results import CheckResult
from agent.checks.subqueries import is_standalone
from agent.config.models import DatasetConfig
from agent.profiling.sampling import SamplePlan, sampled_source

if TYPE_CHECKING:
    from agent.checks.value_counts import GroupedStatement

MAX_EXPRESSIONS_PER_QUERY = 50
ROW_COUNT_KEY = "__rows__"


@dataclass
class FusedQuery:
    """One SELECT computing several checks' expressions, labelled m0, m1, ..."""

    checks: list[AggregateCheck[Any]] = field(default_factory=list)
    expressions: dict[str, ColumnElement[Any]] = field(default_factory=dict)  # key -> expression
    labels: dict[str, str] = field(default_factory=dict)  # key -> column label
    sampled: bool = False  # reads the dataset's sample (samplable checks only)

    def add(self, key: str, expression: ColumnElement[Any]) -> None:
        if key not in self.expressions:
            self.expressions[key] = expression
            self.labels[key] = f"m{len(self.labels)}"


@dataclass
class DatasetPlan:
    dataset: str
    context: QueryContext
    where: str | None
    queries: list[FusedQuery]
    query_checks: list[QueryCheck[Any]]
    metric_keys: dict[str, dict[str, str]]  # check name -> {local metric name -> key}
    check_order: list[str]  # check names in config order
    side_values: dict[str, dict[str, Any]] = field(default_factory=dict)  # filled by the runner
    side_errors: dict[str, str] = field(default_factory=dict)  # check name -> why a side failed
    subqueries: dict[str, ColumnElement[Any]] = field(default_factory=dict)
    """Expression key -> grouped subquery run as a statement of its own (see subqueries.py)."""
    grouped_statements: list[GroupedStatement] = field(default_factory=list)
    """Statements giving several keys at once (see value_counts.py)."""
    subquery_values: dict[str, Any] = field(default_factory=dict)  # filled by the runner
    subquery_errors: dict[str, str] = field(default_factory=dict)  # key -> why it failed

    @property
    def aggregate_checks(self) -> list[AggregateCheck[Any]]:
        return [check for query in self.queries for check in query.checks]

    def checks_by_name(self) -> dict[str, Check[Any]]:
        return {check.name: check for check in [*self.aggregate_checks, *self.query_checks]}

    def select(
        self, query: FusedQuery, checks: list[AggregateCheck[Any]] | None = None,
        sample: SamplePlan | None = None,
    ) -> sa.Select[Any]:
        """The SELECT for ``query``, or only the expressions of ``checks`` from it; over
        ``sample`` of the rows when given (the sample's row count always included)."""
        keys = list(query.expressions)
        if checks is not None:
            wanted = {key for check in checks for key in self.metric_keys[check.name].values()}
            if sample is not None:
                wanted.add(ROW_COUNT_KEY)
            keys = [key for key in keys if key in wanted]
        source: FromClause = self.context.table
        condition = None
        expressions = [query.expressions[key] for key in keys]
        if sample is not None:
            source, condition = sampled_source(self.context.table, self.context.dialect_name, sample)
            if source is not self.context.table:  # TABLESAMPLE aliases the table
                adapter = ClauseAdapter(source)
                expressions = [adapter.traverse(expression) for expression in expressions]
        columns = [expr.label(query.labels[key]) for key, expr in zip(keys, expressions, strict=True)]
        statement = sa.select(*columns).select_from(source)
        if self.where:
            statement = statement.where(sa.text(self.where))
        if condition is not None:
            statement = statement.where(condition)
        return statement


def dataset_table(config: DatasetConfig, checks: list[Check[Any]]) -> sa.TableClause:
    """A lightweight table clause naming only the columns the checks read (no reflection)."""
    schema, name = config.schema_and_table()
    columns = sorted({column for check in checks for column in check.columns()})
    return sa.table(name, *(sa.column(column) for column in columns), schema=schema)


def expression_key(expression: ColumnElement[Any], dialect: Dialect) -> str:
    """Identity of an expression for de-duplication: its SQL text and bound values."""
    compiled = expression.compile(dialect=dialect)
    params = sorted((name, repr(value)) for name, value in compiled.params.items())
    return f"{compiled}|{params}"


def plan_dataset(
    name: str, config: DatasetConfig, dialect: Dialect, now: datetime,
    *, max_expressions: int = MAX_EXPRESSIONS_PER_QUERY,
    previous: Mapping[str, CheckResult] | None = None, split_subqueries: bool = False,
) -> DatasetPlan:
    """The dataset's checks fused into as few SELECTs as possible. ``split_subqueries``: take
    grouped subqueries out of the full scans into statements of their own (for warehouses that
    run statements concurrently; see ``agent.checks.subqueries``)."""
    checks = [build_check(spec) for spec in config.check_specs()]
    context = QueryContext(table=dataset_table(config, checks), dialect=dialect, now=now,
                           previous=dict(previous or {}), where=config.where,
                           failing_row_samples=config.failing_row_samples)
    queries: list[FusedQuery] = [FusedQuery()]
    queries[0].add(ROW_COUNT_KEY, count_rows())
    sampled: list[FusedQuery] = []  # samplable checks of a dataset with `sample:`
    metric_keys: dict[str, dict[str, str]] = {}
    query_checks: list[QueryCheck[Any]] = []
    row_key = expression_key(count_rows(), dialect)
    for check in checks:
        if isinstance(check, QueryCheck):
            query_checks.append(check)
            continue
        assert isinstance(check, AggregateCheck)
        expressions = check.metrics(context)
        keys = {
            local: ROW_COUNT_KEY if (key := expression_key(expr, dialect)) == row_key else key
            for local, expr in expressions.items()
        }
        metric_keys[check.name] = keys
        pool = sampled if config.sampled and check.samplable else queries
        if not pool:
            pool.append(_sampled_query())
        target = pool[-1]
        new_keys = {key for key in keys.values() if key not in target.expressions}
        if target.checks and len(target.expressions) + len(new_keys) > max_expressions:
            target = _sampled_query() if pool is sampled else FusedQuery()
            pool.append(target)
        for local, key in keys.items():
            target.add(key, expressions[local])
        target.checks.append(check)
    if sampled and not queries[0].checks:
        queries = []  # every aggregate check reads the sample: no full scan
    subqueries = _take_subqueries(queries, context.table) if split_subqueries else {}
    queries += sampled  # after the full scan, whose exact row count scales the sample's
    return DatasetPlan(
        dataset=name, context=context, where=config.where, queries=queries,
        query_checks=query_checks, metric_keys=metric_keys,
        check_order=[check.name for check in checks], subqueries=subqueries,
    )


def _take_subqueries(
    queries: list[FusedQuery], table: sa.TableClause
) -> dict[str, ColumnElement[Any]]:
    """Move the standalone subqueries out of the full-scan ``queries``; a query left with
    nothing to compute hands its checks to the first one (they are judged there)."""
    taken: dict[str, ColumnElement[Any]] = {}
    for query in queries:
        for key, expression in list(query.expressions.items()):
            if key != ROW_COUNT_KEY and is_standalone(expression, table):
                taken[key] = expression
                del query.expressions[key]
                del query.labels[key]
    fold_emptied_queries(queries)
    return taken


def fold_emptied_queries(queries: list[FusedQuery]) -> None:
    """Drop the queries after the first that have nothing left to compute (their expressions
    moved to statements of their own), handing their checks to the first (judged there)."""
    if queries:
        for query in queries[1:]:
            if not query.expressions:
                queries[0].checks.extend(query.checks)
        queries[1:] = [query for query in queries[1:] if query.expressions]


def _sampled_query() -> FusedQuery:
    """A fused query over the sample; its row count scales the sampled counts."""
    query = FusedQuery(sampled=True)
    query.add(ROW_COUNT_KEY, count_rows())
    return query
