"""expect_table_row_count_to_equal: the dataset has exactly ``value`` rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, QueryContext
from agent.checks.builtin.ge_base import GESpec
from agent.checks.expressions import count_rows
from agent.checks.map_outcome import as_int
from agent.checks.results import Outcome


class ExpectRowCountEqualSpec(GESpec):
    type: Literal["expect_table_row_count_to_equal"]
    value: int = Field(ge=0)


class ExpectRowCountEqual(AggregateCheck[ExpectRowCountEqualSpec]):
    spec_model = ExpectRowCountEqualSpec
    default_dimension = "completeness"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows()}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["rows"])
        success = rows == self.spec.value
        return Outcome(
            success=success, observed_value=rows, expected_value=self.spec.value,
            element_count=rows, message=None if success else f"{rows} rows, expected {self.spec.value}",
        )
