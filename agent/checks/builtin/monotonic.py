"""Shared machinery of expect_column_values_to_be_increasing / _decreasing (defines no check type).

Each non-null value is compared with the previous non-null value in row order, as Great
Expectations does (NULLs are skipped, the first value is never unexpected). The row order is
``order_by`` when given, else the table's natural row order: ``rowid`` on SQLite and DuckDB,
``ctid`` on PostgreSQL. MySQL and MariaDB tables have no natural row order, so there
``order_by`` is required.

One statement of its own: LAG() over the ordered rows and the counts in the warehouse. A second
small one fetches the unexpected values, only when there are some; when the expectation fails and
the dataset takes failing-row samples, that one SELECT reads the failing rows themselves and gives
both. With ``parse_strings_as_datetimes`` the ordered values are read and compared in Python
instead, and a failing expectation's samples are the rows at the failing positions, read again in
row order up to the last one. A masked column's values are masked in the unexpected lists too.
"""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import (
    GEMapSpec,
    GEQueryCheck,
    filtered,
    jsonable,
    map_result,
    parse_datetime,
    plain,
)
from agent.checks.failing_rows import FailingRowSamples
from agent.checks.map_outcome import as_int
from agent.checks.query_samples import (
    error_text,
    masked_values,
    row_columns,
    sample_settings,
    shown_rows,
)
from agent.checks.results import Outcome

NATURAL_ORDER = {"sqlite": "rowid", "duckdb": "rowid", "postgresql": "ctid"}
# labels of the value, its predecessor and its position beside a sampled row
VALUE, PREVIOUS, POSITION = "dq_value__", "dq_previous__", "dq_position__"
HELPERS = (VALUE, PREVIOUS, POSITION)


class MonotonicSpec(GEMapSpec):
    strictly: bool = Field(default=False, description="Equal neighbours are unexpected too.")
    parse_strings_as_datetimes: bool = False
    order_by: list[str] | None = Field(
        default=None,
        description="Column(s) giving the row order; default the table's natural row order "
                    "(rowid on SQLite and DuckDB, ctid on PostgreSQL; required on MySQL/MariaDB).",
    )

    @field_validator("order_by", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


MonotonicSpecT = TypeVar("MonotonicSpecT", bound=MonotonicSpec)


class MonotonicCheck(GEQueryCheck[MonotonicSpecT]):
    """Values that keep (or strictly keep) one direction in row order."""

    default_dimension: ClassVar[str] = "validity"
    direction: ClassVar[str]  # "increasing" or "decreasing", for messages

    @abstractmethod
    def breaks(self, value: Any, previous: Any) -> Any:
        """Whether ``value`` after ``previous`` breaks the order (SQL expressions or Python)."""

    def columns(self) -> set[str]:
        return {self.column, *(self.spec.order_by or [])}

    def order(self, ctx: QueryContext) -> list[ColumnElement[Any]]:
        if self.spec.order_by:
            return [ctx.col(name) for name in self.spec.order_by]
        natural = NATURAL_ORDER.get(ctx.dialect_name)
        if natural is None:
            raise LookupError(
                f"{ctx.dialect_name} tables have no natural row order; give order_by: the "
                "column(s) that order the rows"
            )
        return [sa.literal_column(natural)]

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        try:
            order = self.order(ctx)
        except LookupError as exc:
            return Outcome.failed_with_error(str(exc))
        if self.spec.parse_strings_as_datetimes:
            return self._judge_in_python(connection, ctx, where, order)
        return self._judge_in_sql(connection, ctx, where, order)

    def _judge_in_sql(
        self, connection: Connection, ctx: QueryContext, where: str | None,
        order: list[ColumnElement[Any]],
    ) -> Outcome:
        col = ctx.col(self.column)
        ordered = filtered(
            sa.select(
                col.label("v"),
                sa.func.lag(col).over(order_by=order).label("prev"),
                sa.func.row_number().over(order_by=order).label("pos"),
            ).select_from(ctx.table).where(col.is_not(None)),
            where,
        ).subquery("ordered")
        bad = sa.and_(ordered.c.prev.is_not(None), self.breaks(ordered.c.v, ordered.c.prev))
        rows = filtered(sa.select(sa.func.count()).select_from(ctx.table), where).scalar_subquery()
        counts = connection.execute(sa.select(
            rows.label("rows"), sa.func.count().label("domain"),
            sa.func.sum(sa.case((bad, 1), else_=0)).label("bad"),
        ).select_from(ordered)).one()
        outcome = self._outcome(as_int(counts.rows), as_int(counts.domain), as_int(counts.bad))
        limit = self._list_limit()
        settings = sample_settings(ctx)
        values: list[Any] | None = None
        samples: dict[str, Any] = {}
        if settings is not None and not outcome.success:
            try:
                values, samples = self._sample_in_sql(connection, ctx, where, order, settings)
            except sa.exc.DBAPIError as exc:
                connection.rollback()
                samples = {"failing_rows_error": error_text(exc)}
        if values is None and outcome.unexpected_count and limit != 0:
            statement = sa.select(ordered.c.v).where(bad).order_by(ordered.c.pos)
            if limit is not None:
                statement = statement.limit(limit)
            values = [plain(row[0]) for row in connection.execute(statement)]
        return self._with_values(outcome, values or [], ctx, samples)

    def _sample_in_sql(
        self, connection: Connection, ctx: QueryContext, where: str | None,
        order: list[ColumnElement[Any]], settings: FailingRowSamples,
    ) -> tuple[list[Any], dict[str, Any]]:
        """The unexpected values and the failing-row samples from one SELECT of the rows that
        break the order (whole rows or ``columns``, beside the value and its predecessor)."""
        col = ctx.col(self.column)
        ordered = filtered(
            sa.select(
                *row_columns(ctx, settings), col.label(VALUE),
                sa.func.lag(col).over(order_by=order).label(PREVIOUS),
                sa.func.row_number().over(order_by=order).label(POSITION),
            ).select_from(ctx.table).where(col.is_not(None)),
            where,
        ).subquery("ordered_rows")
        value, previous = ordered.c[VALUE], ordered.c[PREVIOUS]
        statement: sa.Select[Any] = (sa.select(sa.literal_column("*")).select_from(ordered)
                     .where(previous.is_not(None), self.breaks(value, previous))
                     .order_by(ordered.c[POSITION]))
        limit = self._list_limit()
        if limit is not None:
            statement = statement.limit(max(limit, settings.limit))
        result = connection.execute(statement)
        names = list(result.keys())
        keys = [name.lower() if name.lower() in HELPERS else name for name in names]
        rows = [tuple(row) for row in result.all()]
        shown = [i for i, key in enumerate(keys) if key not in HELPERS]
        found = keys.index(VALUE)
        values = [plain(row[found]) for row in rows]
        samples = shown_rows([keys[i] for i in shown],
                             [tuple(row[i] for i in shown) for row in rows], settings)
        return values, {"failing_rows": samples}

    def _judge_in_python(
        self, connection: Connection, ctx: QueryContext, where: str | None,
        order: list[ColumnElement[Any]],
    ) -> Outcome:
        col = ctx.col(self.column)
        statement = filtered(sa.select(col).select_from(ctx.table), where).order_by(*order)
        values = [row[0] for row in connection.execute(statement)]
        present = [value for value in values if value is not None]
        try:
            parsed = [parse_datetime(value) for value in present]
        except (TypeError, ValueError, OverflowError) as exc:
            return Outcome.failed_with_error(f"cannot read {self.column!r} as timestamps: {exc}")
        positions = [i for i in range(1, len(parsed)) if self.breaks(parsed[i], parsed[i - 1])]
        outcome = self._outcome(len(values), len(present), len(positions))
        settings = sample_settings(ctx)
        samples: dict[str, Any] = {}
        if settings is not None and not outcome.success:
            samples = self._rows_at(connection, ctx, where, order, positions[: settings.limit],
                                    settings)
        return self._with_values(outcome, [plain(present[i]) for i in positions], ctx, samples)

    def _rows_at(
        self, connection: Connection, ctx: QueryContext, where: str | None,
        order: list[ColumnElement[Any]], positions: list[int], settings: FailingRowSamples,
    ) -> dict[str, Any]:
        """Failing-row samples: the rows at ``positions`` among the non-null values in row order,
        read again in that order up to the last one."""
        col = ctx.col(self.column)
        statement = filtered(
            sa.select(*row_columns(ctx, settings)).select_from(ctx.table).where(col.is_not(None)),
            where,
        ).order_by(*order).limit(positions[-1] + 1)
        try:
            result = connection.execute(statement)
            keys = list(result.keys())
            rows = [tuple(row) for row in result.all()]
        except sa.exc.DBAPIError as exc:
            connection.rollback()
            return {"failing_rows_error": error_text(exc)}
        return {"failing_rows": shown_rows(keys, [rows[i] for i in positions if i < len(rows)],
                                           settings)}

    def _outcome(self, rows: int, domain: int, bad: int) -> Outcome:
        outcome = map_result(element_count=rows, domain_count=domain, unexpected_count=bad,
                             mostly=self.spec.mostly)
        if outcome.success or bad == 0:
            return outcome
        strictly = "strictly " if self.spec.strictly else ""
        message = (f"{bad} of {domain} values break the {strictly}{self.direction} order "
                   f"({outcome.message})")
        return dataclasses.replace(outcome, message=message)

    def _list_limit(self) -> int | None:
        """How many unexpected values to fetch: None for all, 0 for none."""
        level = self.spec.result_level()
        if level == "BOOLEAN_ONLY":
            return 0
        return None if level == "COMPLETE" else self.spec.partial_count()

    def _with_values(
        self, outcome: Outcome, values: list[Any], ctx: QueryContext, samples: dict[str, Any],
    ) -> Outcome:
        """``outcome`` with the unexpected values (masked with the column) and the samples."""
        level = self.spec.result_level()
        extra: dict[str, Any] = dict(samples)
        if level != "BOOLEAN_ONLY":
            listed = masked_values(values, self.column, ctx.failing_row_samples)
            extra["partial_unexpected_list"] = jsonable(listed[: self.spec.partial_count()])
            if level == "COMPLETE":
                extra["unexpected_list"] = jsonable(listed)
        return dataclasses.replace(outcome, details={**outcome.details, **extra})
