"""schema_drift: snapshot the table's columns (names, types, nullability, order) on every run.

The check itself only reads the schema; after the run, :mod:`agent.schema.drift` compares the
snapshot with the previous run's (kept in the history store with the run) and judges the drift.
The first run has nothing to compare with and passes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy.engine import Connection

from agent.checks.base import CheckSpec, QueryCheck, QueryContext
from agent.checks.results import Outcome, Severity
from agent.schema.diff import judge
from agent.schema.snapshot import read_schema

ChangeKind = Literal["added", "removed", "type_changed", "renamed", "reordered"]
BREAKING: tuple[ChangeKind, ...] = ("removed", "type_changed", "renamed")


class SchemaDriftSpec(CheckSpec):
    type: Literal["schema_drift"]
    severity: Severity = Severity.CRITICAL
    fail_on: list[ChangeKind] = Field(
        default_factory=lambda: list(BREAKING),
        description="Kinds of change that fail the check (the others are reported only).",
    )


class SchemaDriftCheck(QueryCheck[SchemaDriftSpec]):
    spec_model = SchemaDriftSpec
    default_dimension = "consistency"

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        columns = read_schema(connection, ctx.table.name, ctx.table.schema)
        return judge(columns, None, self.spec.fail_on)
