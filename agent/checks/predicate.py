"""Column checks judged by a row predicate: the unexpected rows are those of
:meth:`failing_rows`, counted in the fused scan next to the rows and non-null values, and the
verdict is Great Expectations' ``mostly`` over the non-null values."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, MostlySpec, QueryContext
from agent.checks.expressions import count_non_null, count_rows, count_where
from agent.checks.map_outcome import as_int, map_outcome
from agent.checks.results import Outcome

MostlySpecT = TypeVar("MostlySpecT", bound=MostlySpec)


class PredicateCheck(AggregateCheck[MostlySpecT]):
    """Subclasses give :meth:`failing_rows` (and may add metrics and outcome fields)."""

    samplable = True  # counts of rows: a sample estimates them
    extrapolated: ClassVar[frozenset[str]] = frozenset({"rows", "non_null", "unexpected"})

    @abstractmethod
    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        """True for a non-null value that fails the check."""

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {
            "rows": count_rows(),
            "non_null": count_non_null(ctx.col(self.spec.column)),
            "unexpected": count_where(self.failing_rows(ctx, None)),
        }

    def mostly_outcome(self, values: Mapping[str, Any], **fields: Any) -> Outcome:
        """The verdict from the three counts; ``fields`` go to :func:`map_outcome`."""
        return map_outcome(
            element_count=as_int(values["rows"]), non_null_count=as_int(values["non_null"]),
            unexpected_count=as_int(values["unexpected"]), mostly=self.spec.mostly, **fields,
        )
