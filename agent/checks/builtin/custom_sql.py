"""custom_sql: a user's SELECT, returning either failing rows or one metric value.

The statement runs alone (it cannot be fused), in a read-only transaction where the dialect has
one, after a parser check that it is a single read statement. ``{table}`` in the query is replaced
by the dataset's quoted table name. In failing_rows mode the query's result rows are the failing
rows: a failing check's samples are its first rows, fetched by the statement that counts them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import Subquery

from agent.checks.base import CheckSpec, QueryCheck, QueryContext
from agent.checks.failing_rows import FailingRowSamples
from agent.checks.query_samples import count_and_fetch, sample_settings, shown_rows
from agent.checks.results import Outcome
from agent.warehouses.readonly import begin_read_only, end_read_only, ensure_single_select


class CustomSqlSpec(CheckSpec):
    type: Literal["custom_sql"]
    query: str = Field(min_length=1, description="SELECT statement; {table} is the dataset")
    mode: Literal["failing_rows", "metric"] = "failing_rows"
    max_failing_rows: int = Field(default=0, ge=0)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _metric_bounds(self) -> CustomSqlSpec:
        if self.mode == "metric" and self.min is None and self.max is None:
            raise ValueError("mode metric needs min, max or both")
        return self


class CustomSqlCheck(QueryCheck[CustomSqlSpec]):
    spec_model = CustomSqlSpec
    default_dimension = "consistency"

    def statement(self, ctx: QueryContext) -> str:
        preparer = ctx.dialect.identifier_preparer
        table_name = preparer.format_table(ctx.table)
        return ensure_single_select(self.spec.query.replace("{table}", table_name), ctx.dialect_name)

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        user_query = sa.text(self.statement(ctx)).columns().subquery("user_query")
        begin_read_only(connection)
        try:
            if self.spec.mode == "failing_rows":
                return self._failing_rows(connection, user_query, sample_settings(ctx))
            # A bound parameter makes PostgreSQL drivers use the extended protocol, which
            # refuses a second statement even where the parser check above was fooled.
            statement: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(user_query).where(
                sa.literal(1) == sa.literal(1))
            row = connection.execute(statement).first()
        finally:
            connection.rollback()
            end_read_only(connection)
        return self._judge_metric(None if row is None else row[0])

    def _failing_rows(
        self, connection: Connection, user_query: Subquery, settings: FailingRowSamples | None
    ) -> Outcome:
        """The verdict on the query's rows, with a few of them as failing-row samples when it
        fails (they come from the statement that counts them)."""
        count, keys, rows = count_and_fetch(
            connection, user_query, settings, self.spec.max_failing_rows)
        outcome = self._judge_failing(count)
        if settings is None or outcome.success:
            return outcome
        return dataclasses.replace(
            outcome, details={**outcome.details, "failing_rows": shown_rows(keys, rows, settings)})

    def _judge_failing(self, failing: int) -> Outcome:
        success = failing <= self.spec.max_failing_rows
        return Outcome(
            success=success, observed_value=failing, expected_min=0,
            expected_max=self.spec.max_failing_rows, unexpected_count=failing,
            message=None if success else f"{failing} failing rows returned by the query",
        )

    def _judge_metric(self, value: Any) -> Outcome:
        if value is None:
            return Outcome(success=False, message="the query returned no value")
        try:
            number = float(value)
        except (TypeError, ValueError):
            return Outcome.failed_with_error(
                f"the query returned {str(value)[:80]!r}, not a number; mode metric needs one "
                "numeric value in the first column"
            )
        low, high = self.spec.min, self.spec.max
        success = (low is None or number >= low) and (high is None or number <= high)
        return Outcome(
            success=success, observed_value=number, expected_min=low, expected_max=high,
            message=None if success else f"value {number:g} outside [{low}, {high}]",
        )
