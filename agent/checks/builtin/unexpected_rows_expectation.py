"""unexpected_rows_expectation: ``unexpected_rows_query`` ({batch} is the dataset) returns no
rows. The user's SQL runs alone, checked to be one read statement, in a read-only transaction.
Its rows are the failing rows: a failing check's samples are its first rows, fetched by the
statement that counts them."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec
from agent.checks.query_samples import count_and_fetch, sample_settings, shown_rows
from agent.checks.results import Outcome
from agent.warehouses.readonly import begin_read_only, end_read_only, ensure_single_select


class UnexpectedRowsSpec(GESpec):
    type: Literal["unexpected_rows_expectation"]
    unexpected_rows_query: str = Field(min_length=1)


class UnexpectedRows(GEQueryCheck[UnexpectedRowsSpec]):
    spec_model = UnexpectedRowsSpec
    default_dimension = "consistency"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        batch = ctx.dialect.identifier_preparer.format_table(ctx.table)
        if where:
            batch = f"(SELECT * FROM {batch} WHERE {where}) AS batch"
        sql = ensure_single_select(
            self.spec.unexpected_rows_query.replace("{batch}", batch), ctx.dialect_name
        )
        settings = sample_settings(ctx)
        begin_read_only(connection)
        try:
            count, keys, rows = count_and_fetch(
                connection, sa.text(sql).columns().subquery("rows"), settings, tolerated=0)
        finally:
            connection.rollback()
            end_read_only(connection)
        label = f"{count} unexpected row" + ("" if count == 1 else "s")
        samples = {"failing_rows": shown_rows(keys, rows, settings)} if settings and count else {}
        return Outcome(success=count == 0, observed_value=label, unexpected_count=count,
                       message=None if count == 0 else label, details=samples)
