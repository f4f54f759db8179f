"""reconciliation: this dataset's row count (or a column's sum) matches another table's, within
a tolerance; the other table may live in another configured warehouse.

Each side may have its own ``where`` (this side's applies on top of the dataset's). This side's
aggregate fuses into the dataset's scan; the other side costs one query of its own, on its
warehouse. ``tolerance`` bounds the absolute difference, ``tolerance_percent`` the difference in
percent of the other side; with both, both must hold; with neither, the sides must be equal.
The observed value is ``this - other``, in percent when only ``tolerance_percent`` is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, CheckSpec, QueryContext, SideQuery
from agent.checks.expressions import count_rows
from agent.checks.results import Outcome
from agent.config.identifiers import checked_table_name, split_table_name


class OtherSide(BaseModel):
    """The table this dataset is reconciled with."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    table: str = Field(min_length=1, description="table or schema.table")
    schema_name: str | None = Field(
        default=None, alias="schema",
        description="Schema; default: from `table`, else the dataset's (same warehouse only).",
    )
    warehouse: str | None = Field(
        default=None, description="A configured warehouse; default: the dataset's."
    )
    column: str | None = Field(default=None, description="Column to sum; default: this side's.")
    where: str | None = Field(default=None, description="SQL filter on the other table.")

    @model_validator(mode="after")
    def _table_splits(self) -> OtherSide:
        if self.schema_name is None:
            checked_table_name(self.table)
        return self

    def schema_and_table(self, default_schema: str | None) -> tuple[str | None, str]:
        if self.schema_name is not None:
            return self.schema_name, self.table
        schema, table = split_table_name(self.table)
        if schema is not None:
            return schema, table
        return (default_schema if self.warehouse is None else None), table


class ReconciliationSpec(CheckSpec):
    type: Literal["reconciliation"]
    aggregate: Literal["count", "sum"] = Field(
        default="count", description="count: rows (non-null values with `column`); sum: a column."
    )
    column: str | None = Field(default=None, description="This side's column (needed for sum).")
    where: str | None = Field(
        default=None, description="SQL filter on this side, on top of the dataset's `where`."
    )
    other: OtherSide
    tolerance: float | None = Field(default=None, ge=0, description="Largest absolute difference.")
    tolerance_percent: float | None = Field(
        default=None, ge=0, description="Largest difference in percent of the other side."
    )

    @model_validator(mode="after")
    def _sum_needs_a_column(self) -> ReconciliationSpec:
        if self.aggregate == "sum" and not self.column:
            raise ValueError("aggregate sum needs `column` (and other.column when it differs)")
        if self.column == "":
            raise ValueError("column cannot be empty")
        return self

    def warehouse_references(self) -> dict[tuple[str, ...], str]:
        return {} if self.other.warehouse is None else {("other", "warehouse"): self.other.warehouse}

    @property
    def percent_only(self) -> bool:
        return self.tolerance_percent is not None and self.tolerance is None


def side_aggregate(
    aggregate: str, column: ColumnElement[Any] | None, where: str | None
) -> ColumnElement[Any]:
    """count(*) / count(column) / sum(column) over the rows ``where`` selects (all without)."""
    if aggregate == "count" and column is None:
        return count_rows() if where is None else sa.func.count(sa.case((sa.text(where), 1)))
    assert column is not None
    value = column if where is None else sa.case((sa.text(where), column))
    return sa.func.count(value) if aggregate == "count" else sa.func.sum(value)


def number(value: Any) -> float | int:
    """A side's value as a number; a sum over no rows (NULL) is 0."""
    if value is None:
        return 0
    return value if isinstance(value, int) else float(value)


class ReconciliationCheck(AggregateCheck[ReconciliationSpec]):
    spec_model = ReconciliationSpec
    default_dimension = "consistency"

    @property
    def name(self) -> str:
        if self.spec.name:
            return self.spec.name
        table = self.spec.other.table.replace(".", "_")
        column = f"_{self.spec.column}" if self.spec.column else ""
        return f"reconciliation_{self.spec.aggregate}{column}_{table}"

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        column = ctx.col(self.spec.column) if self.spec.column else None
        return {"this": side_aggregate(self.spec.aggregate, column, self.spec.where)}

    def side_queries(self, ctx: QueryContext) -> dict[str, SideQuery]:
        other = self.spec.other
        schema, name = other.schema_and_table(ctx.table.schema)
        column_name = other.column or self.spec.column
        table = sa.table(name, *([sa.column(column_name)] if column_name else []), schema=schema)
        column = table.c[column_name] if column_name else None
        aggregate = side_aggregate(self.spec.aggregate, column, None)
        statement = sa.select(aggregate).select_from(table)
        if other.where:
            statement = statement.where(sa.text(other.where))
        return {"other": SideQuery(statement=statement, warehouse=other.warehouse)}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        spec = self.spec
        this, other = number(values["this"]), number(values["other"])
        difference = this - other
        percent = difference / other * 100.0 if other else (0.0 if difference == 0 else None)
        if spec.tolerance is not None:
            within_absolute = abs(difference) <= spec.tolerance
        else:  # with neither tolerance the sides must be equal
            within_absolute = spec.tolerance_percent is not None or difference == 0
        within_percent = spec.tolerance_percent is None or (
            percent is not None and abs(percent) <= spec.tolerance_percent)
        success = within_absolute and within_percent
        limit = spec.tolerance_percent if spec.percent_only else (spec.tolerance or 0.0)
        observed = percent if spec.percent_only else difference
        other_name = ".".join(filter(None, spec.other.schema_and_table(ctx.table.schema)))
        sides = {
            "this": {"table": ".".join(filter(None, (ctx.table.schema, ctx.table.name))),
                     "aggregate": spec.aggregate, "column": spec.column, "where": spec.where,
                     "value": this},
            "other": {"table": other_name, "warehouse": spec.other.warehouse,
                      "column": spec.other.column or spec.column, "where": spec.other.where,
                      "value": other},
        }
        message = None
        if not success:
            shown = "n/a" if percent is None else f"{percent:+.3g}%"
            message = (f"{spec.aggregate} here {this:g}, in {other_name} {other:g}: difference "
                       f"{difference:+g} ({shown}) exceeds the tolerance")
        return Outcome(
            success=success, observed_value=observed,
            expected_min=None if limit is None else -limit, expected_max=limit,
            message=message,
            details={"sides": sides, "difference": difference, "difference_percent": percent},
        )
