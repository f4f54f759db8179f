"""duplicates: rows whose key (one or more ``columns``) appears more than once.

Every row of a repeated key counts (two rows sharing a key are two duplicate rows). By default
a key with a NULL in any of its columns is never a duplicate, as in a UNIQUE constraint, and
such rows are left out of the rows judged (reported as missing); ``nulls_equal: true`` makes
NULLs compare equal, as in GROUP BY. ``max_duplicates`` bounds the duplicate rows, ``mostly``
the share of judged rows that must not be duplicates; with neither, no duplicate is allowed.
The keys are grouped in a statement of its own (a GROUP BY cannot fuse into the scan).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import CheckSpec, QueryCheck, QueryContext
from agent.checks.map_outcome import expected_share
from agent.checks.repeated_keys import candidate_key_filter, key_counts, repeated_key_filter
from agent.checks.results import Outcome


class DuplicatesSpec(CheckSpec):
    type: Literal["duplicates"]
    columns: list[str] = Field(min_length=1, description="The key: one or more columns.")
    nulls_equal: bool = Field(
        default=False,
        description="Whether NULLs in the key compare equal (default: a key with a NULL is "
                    "never a duplicate).",
    )
    max_duplicates: int | None = Field(
        default=None, ge=0, description="Most duplicate rows allowed (default 0 without mostly)."
    )
    mostly: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Share of the judged rows that must not be duplicates.",
    )

    @field_validator("columns")
    @classmethod
    def _distinct(cls, columns: list[str]) -> list[str]:
        if any(not column for column in columns):
            raise ValueError("column names cannot be empty")
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise ValueError(f"columns repeat {', '.join(repeated)}; name each column once")
        return columns

    def limit(self) -> int | None:
        """The duplicate rows allowed, when a count bounds them."""
        if self.max_duplicates is None and self.mostly is None:
            return 0
        return self.max_duplicates


class DuplicatesCheck(QueryCheck[DuplicatesSpec]):
    spec_model = DuplicatesSpec
    default_dimension = "uniqueness"

    @property
    def name(self) -> str:
        return self.spec.name or "duplicates_" + "_".join(self.spec.columns)

    def columns(self) -> set[str]:
        return set(self.spec.columns)

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        spec = self.spec
        counts = key_counts(connection, ctx, spec.columns, where, nulls_equal=spec.nulls_equal)
        missing = 0 if spec.nulls_equal else counts.incomplete_rows
        judged = counts.rows - missing
        duplicates = counts.duplicate_rows
        ratio = duplicates / judged if judged else 0.0
        limit = spec.limit()
        success = limit is None or duplicates <= limit
        if spec.mostly is not None:
            success = success and expected_share(judged - duplicates, judged) >= spec.mostly
        key = ", ".join(spec.columns)
        message = None
        if not success:
            message = (f"{duplicates} of {judged} rows ({ratio:.2%}) share a key ({key}) with "
                       f"another row; {counts.duplicate_keys} keys repeat")
        return Outcome(
            success=success, observed_value=duplicates, expected_min=0, expected_max=limit,
            element_count=counts.rows, missing_count=missing, unexpected_count=duplicates,
            unexpected_ratio=ratio, message=message,
            details={"duplicate_keys": counts.duplicate_keys},
        )

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return repeated_key_filter(ctx, self.spec.columns, where, nulls_equal=self.spec.nulls_equal)

    def failing_rows_first(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool] | None:
        """Keys with a NULL count as duplicates under ``nulls_equal``; the candidate keys have
        none, so that case has no shortcut."""
        return None if self.spec.nulls_equal else candidate_key_filter(ctx, self.spec.columns, where)
