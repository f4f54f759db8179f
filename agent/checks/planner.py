"""Fusing a dataset's checks: identical aggregate expressions are computed once, all of them in
one SELECT (split past ``MAX_EXPRESSIONS_PER_QUERY``); checks that need their own statement are
kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, Check, QueryCheck, QueryContext, build_check
from agent.checks.expressions import count_rows
from agent.config.models import DatasetConfig

MAX_EXPRESSIONS_PER_QUERY = 50
ROW_COUNT_KEY = "__rows__"


@dataclass
class FusedQuery:
    """One SELECT computing several checks' expressions, labelled m0, m1, ..."""

    checks: list[AggregateCheck[Any]] = field(default_factory=list)
    expressions: dict[str, ColumnElement[Any]] = field(default_factory=dict)  # key -> expression
    labels: dict[str, str] = field(default_factory=dict)  # key -> column label

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

    @property
    def aggregate_checks(self) -> list[AggregateCheck[Any]]:
        return [check for query in self.queries for check in query.checks]

    def select(self, query: FusedQuery, checks: list[AggregateCheck[Any]] | None = None) -> sa.Select[Any]:
        """The SELECT for ``query``, or only the expressions of ``checks`` from it."""
        keys = list(query.expressions)
        if checks is not None:
            wanted = {key for check in checks for key in self.metric_keys[check.name].values()}
            keys = [key for key in keys if key in wanted]
        columns = [query.expressions[key].label(query.labels[key]) for key in keys]
        statement = sa.select(*columns).select_from(self.context.table)
        if self.where:
            statement = statement.where(sa.text(self.where))
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
) -> DatasetPlan:
    checks = [build_check(spec) for spec in config.check_specs()]
    context = QueryContext(table=dataset_table(config, checks), dialect=dialect, now=now)
    queries: list[FusedQuery] = [FusedQuery()]
    queries[0].add(ROW_COUNT_KEY, count_rows())
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
        target = queries[-1]
        new_keys = {key for key in keys.values() if key not in target.expressions}
        if target.checks and len(target.expressions) + len(new_keys) > max_expressions:
            target = FusedQuery()
            queries.append(target)
        for local, key in keys.items():
            target.add(key, expressions[local])
        target.checks.append(check)
    return DatasetPlan(
        dataset=name, context=context, where=config.where, queries=queries,
        query_checks=query_checks, metric_keys=metric_keys,
        check_order=[check.name for check in checks],
    )
