"""Shared machinery of the Great Expectations-compatible check types (``expect_*`` files).

Semantics follow Great Expectations 1.x: map expectations judge ``mostly`` over the non-null
values, bounds are inclusive unless ``strict_min``/``strict_max``, string bounds compared with a
timestamp are parsed as timestamps. Map expectations are aggregate checks (counts of unexpected
rows) so they fuse into the dataset's one scan; the values themselves (partial_unexpected_list)
are fetched afterwards, only for expectations that found unexpected rows
(:mod:`agent.rules.unexpected`). This module defines no check type itself.
"""

from __future__ import annotations

import dataclasses
import math
import re
from abc import abstractmethod
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

import sqlalchemy as sa
from pydantic import Field, field_validator, model_validator
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.base import AggregateCheck, CheckSpec, QueryCheck, QueryContext
from agent.checks.builtin.duckdb_types import duckdb_columns
from agent.checks.expressions import count_rows, count_where
from agent.checks.map_outcome import as_int, expected_share
from agent.checks.query_samples import masked_values, rows_with_values, sample_settings
from agent.checks.results import Outcome

RESULT_FORMATS = ("BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE")
DEFAULT_PARTIAL_COUNT = 20


class GESpec(CheckSpec):
    """Keyword arguments every Great Expectations expectation accepts."""

    result_format: str | dict[str, Any] | None = Field(
        default=None, description="BOOLEAN_ONLY, BASIC (default), SUMMARY or COMPLETE."
    )
    catch_exceptions: bool | None = None
    include_config: bool | None = None
    meta: dict[str, Any] | None = None
    notes: str | list[str] | None = None
    row_condition: str | None = None
    condition_parser: str | None = None

    @field_validator("result_format")
    @classmethod
    def _known_format(cls, value: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
        level = value.get("result_format") if isinstance(value, dict) else value
        if level is not None and str(level).upper() not in RESULT_FORMATS:
            raise ValueError(f"result_format {level!r} is not one of {', '.join(RESULT_FORMATS)}")
        return value

    @model_validator(mode="after")
    def _no_row_condition(self) -> GESpec:
        if self.row_condition is not None:
            raise ValueError(
                "row_condition is not supported; filter the dataset with `where` instead"
            )
        return self

    def result_level(self) -> str:
        value = self.result_format
        level = value.get("result_format", "BASIC") if isinstance(value, dict) else value
        return str(level or "BASIC").upper()

    def partial_count(self) -> int:
        value = self.result_format
        if isinstance(value, dict) and "partial_unexpected_count" in value:
            return int(value["partial_unexpected_count"])
        return DEFAULT_PARTIAL_COUNT


class GEColumnSpec(GESpec):
    column: str = Field(min_length=1)


def mostly_field() -> Any:
    return Field(default=1.0, ge=0.0, le=1.0,
                 description="Fraction of the non-null values that must meet the expectation.")


class GEMapSpec(GEColumnSpec):
    mostly: float = mostly_field()


class GEBetweenSpec(GEColumnSpec):
    """``min_value`` / ``max_value`` (either may be None, not both) with optional strictness."""

    min_value: Any = None
    max_value: Any = None
    strict_min: bool = False
    strict_max: bool = False
    parse_strings_as_datetimes: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> GEBetweenSpec:
        check_bounds(self.min_value, self.max_value, need_one=False)  # both None: vacuously true
        return self


def check_bounds(low: Any, high: Any, *, need_one: bool = True) -> None:
    if need_one and low is None and high is None:
        raise ValueError("min_value and max_value cannot both be None")
    if low is not None and high is not None:
        try:
            wrong = coerce_bound(low, high) > coerce_bound(high, low)
        except TypeError:
            raise ValueError(f"min_value {low!r} and max_value {high!r} are not comparable") from None
        if wrong:
            raise ValueError(f"min_value ({low}) cannot be greater than max_value ({high})")


# -- values ------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A warehouse value as JSON-friendly Python: Decimals as int/float, dates as datetimes."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser

            return parser.parse(value)
    raise TypeError(f"cannot read {value!r} as a timestamp")


def _comparable_datetimes(a: datetime, b: datetime) -> tuple[datetime, datetime]:
    """Naive timestamps are taken as UTC when compared with aware ones."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        a = a.replace(tzinfo=UTC) if a.tzinfo is None else a
        b = b.replace(tzinfo=UTC) if b.tzinfo is None else b
    return a, b


def coerce_bound(bound: Any, observed: Any) -> Any:
    """``bound`` in the type of ``observed`` where Great Expectations would convert it."""
    if isinstance(observed, datetime | date) and isinstance(bound, str | date):
        return parse_datetime(bound)
    return bound


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1; timestamps of different awareness compare as UTC; mixing types raises."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        a, b = _comparable_datetimes(a, b)
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = (int(a) if isinstance(a, bool) else a), (int(b) if isinstance(b, bool) else b)
    if a < b:
        return -1
    return 1 if a > b else 0


def within(
    observed: Any, low: Any, high: Any, strict_min: bool = False, strict_max: bool = False
) -> bool:
    """Great Expectations' between: inclusive bounds unless strict; a None bound is open."""
    if observed is None or (isinstance(observed, float) and math.isnan(observed)):
        return False
    if low is not None:
        c = compare(observed, coerce_bound(low, observed))
        if c < 0 or (strict_min and c == 0):
            return False
    if high is not None:
        c = compare(observed, coerce_bound(high, observed))
        if c > 0 or (strict_max and c == 0):
            return False
    return True


def between_outcome(
    observed: Any, low: Any, high: Any, strict_min: bool = False, strict_max: bool = False,
    **extra: Any,
) -> Outcome:
    """The verdict of a ``*_to_be_between`` aggregate expectation on ``observed``."""
    success = within(observed, low, high, strict_min, strict_max)
    message = extra.pop("message", None)
    if not success and message is None:
        message = out_of_range_message(observed, low, high)
    return Outcome(
        success=success, observed_value=jsonable(observed), expected_min=jsonable(low),
        expected_max=jsonable(high), message=message, **extra,
    )


def out_of_range_message(observed: Any, low: Any, high: Any) -> str:
    if observed is None:
        return "no value to compare: the column has no non-null values"
    if isinstance(observed, datetime) and low is not None:
        lower = coerce_bound(low, observed)
        if isinstance(lower, datetime) and compare(observed, lower) < 0:
            a, b = _comparable_datetimes(observed, lower)
            return f"Data is stale by {human_duration((b - a).total_seconds())}"
    return f"observed {jsonable(observed)} is outside [{jsonable(low)}, {jsonable(high)}]"


def human_duration(seconds: float) -> str:
    for unit, size in (("weeks", 604800), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            amount = seconds / size
            return f"{amount:.0f} {unit}" if amount >= 2 else f"{amount:.3g} {unit}"
    return f"{seconds:.0f} seconds"


def jsonable(value: Any) -> Any:
    """Timestamps as ISO 8601 strings (as Great Expectations reports them), others unchanged."""
    value = plain(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def bound_literal(value: Any, parse_datetimes: bool = False) -> Any:
    """A bound as a literal. ISO 8601 timestamps (what the ``{{ now }}`` templates produce) are
    bound as timestamps, as are other parseable strings under parse_strings_as_datetimes."""
    if isinstance(value, str) and (parse_datetimes or _ISO_TIMESTAMP.match(value.strip())):
        return parse_datetime(value)
    return value


def timestamp_text(value: Any) -> Any:
    """A timestamp that came back as text (SQLite stores them so) as a datetime; else unchanged."""
    if isinstance(value, str) and _ISO_TIMESTAMP.match(value.strip()):
        return parse_datetime(value)
    return value


def set_literals(values: list[Any], parse_datetimes: bool = False) -> list[Any]:
    return [bound_literal(value, parse_datetimes) for value in values]


def outside_bounds(
    column: ColumnElement[Any], low: Any, high: Any, strict_min: bool, strict_max: bool,
    parse_datetimes: bool = False,
) -> ColumnElement[bool]:
    """True where ``column`` is below ``low`` or above ``high`` (or on a strict bound)."""
    outside: list[ColumnElement[bool]] = []
    if low is not None:
        lit = sa.literal(bound_literal(low, parse_datetimes))
        outside.append(column <= lit if strict_min else column < lit)
    if high is not None:
        lit = sa.literal(bound_literal(high, parse_datetimes))
        outside.append(column >= lit if strict_max else column > lit)
    return sa.or_(*outside) if outside else sa.false()


# -- map expectations ----------------------------------------------------------------------------

SpecT = TypeVar("SpecT", bound=GESpec)


class GEMapCheck(AggregateCheck[SpecT]):
    """A "values meet X" expectation: counts of domain rows and of unexpected ones, one scan.

    Subclasses give :meth:`unexpected` (true for an unexpected row of the domain) and, when the
    domain is not "the column is not NULL", :meth:`domain`.
    """

    default_dimension: ClassVar[str] = "validity"
    samplable: ClassVar[bool] = True  # row-level verdicts: a sample estimates the counts
    extrapolated: ClassVar[frozenset[str]] = frozenset({"rows", "domain", "unexpected"})

    def domain(self, ctx: QueryContext) -> ColumnElement[bool]:
        return ctx.col(self.column).is_not(None)

    @abstractmethod
    def unexpected(self, ctx: QueryContext) -> ColumnElement[bool]:
        """True for a row of the domain whose value is unexpected."""

    def unexpected_first(self, ctx: QueryContext) -> ColumnElement[bool] | None:
        """A cheaper predicate the unexpected list and samples try first (see
        :meth:`Check.failing_rows_first`); None when there is none."""
        return None

    def unexpected_columns(self, ctx: QueryContext) -> list[ColumnElement[Any]]:
        """What the unexpected list shows of each unexpected row."""
        return [ctx.col(self.column)]

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool]:
        return sa.and_(self.domain(ctx), self.unexpected(ctx))

    def failing_rows_first(
        self, ctx: QueryContext, where: str | None
    ) -> ColumnElement[bool] | None:
        first = self.unexpected_first(ctx)
        return None if first is None else sa.and_(self.domain(ctx), first)

    def format_unexpected(self, row: tuple[Any, ...]) -> Any:
        return jsonable(row[0]) if len(row) == 1 else [jsonable(value) for value in row]

    @property
    def mostly(self) -> float:
        return float(getattr(self.spec, "mostly", 1.0))

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        domain = self.domain(ctx)
        return {
            "rows": count_rows(),
            "domain": count_where(domain),
            "unexpected": count_where(sa.and_(domain, self.unexpected(ctx))),
        }

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        return map_result(
            element_count=as_int(values["rows"]), domain_count=as_int(values["domain"]),
            unexpected_count=as_int(values["unexpected"]), mostly=self.mostly,
        )


def map_result(
    *, element_count: int, domain_count: int, unexpected_count: int, mostly: float, **extra: Any
) -> Outcome:
    """Great Expectations' map verdict: success when the expected share of the domain >= mostly.

    unexpected_percent is over the domain (non-null rows), as in Great Expectations; with an
    empty domain the expectation holds vacuously.
    """
    ratio = unexpected_count / domain_count if domain_count else 0.0
    success = expected_share(domain_count - unexpected_count, domain_count) >= mostly
    message = extra.pop("message", None)
    if not success and message is None:
        message = (
            f"{unexpected_count} of {domain_count} values ({ratio:.3%}) are unexpected; "
            f"at most {1 - mostly:.3%} allowed"
        )
    details = {
        "unexpected_percent_total": (
            unexpected_count / element_count * 100.0 if element_count else None
        ),
        "missing_percent": (
            (element_count - domain_count) / element_count * 100.0 if element_count else None
        ),
        **extra.pop("details", {}),
    }
    return Outcome(
        success=success, observed_value=ratio, element_count=element_count,
        missing_count=element_count - domain_count, unexpected_count=unexpected_count,
        unexpected_ratio=ratio, message=message, details=details, **extra,
    )


# -- column pairs and column lists ---------------------------------------------------------------


class GEPairSpec(GESpec):
    column_A: str = Field(min_length=1)
    column_B: str = Field(min_length=1)
    ignore_row_if: Literal[
        "both_values_are_missing", "either_value_is_missing", "neither"
    ] = "both_values_are_missing"
    mostly: float = mostly_field()


PairSpecT = TypeVar("PairSpecT", bound=GEPairSpec)


class GEPairCheck(GEMapCheck[PairSpecT]):
    """A map expectation over two columns; the unexpected list holds [a, b] pairs."""

    def columns(self) -> set[str]:
        return {self.spec.column_A, self.spec.column_B}

    def pair(self, ctx: QueryContext) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        return ctx.col(self.spec.column_A), ctx.col(self.spec.column_B)

    def domain(self, ctx: QueryContext) -> ColumnElement[bool]:
        a, b = self.pair(ctx)
        if self.spec.ignore_row_if == "both_values_are_missing":
            return sa.or_(a.is_not(None), b.is_not(None))
        if self.spec.ignore_row_if == "either_value_is_missing":
            return sa.and_(a.is_not(None), b.is_not(None))
        return sa.true()

    def unexpected_columns(self, ctx: QueryContext) -> list[ColumnElement[Any]]:
        return list(self.pair(ctx))

    def format_unexpected(self, row: tuple[Any, ...]) -> Any:
        return [jsonable(value) for value in row]


class GEMultiColumnSpec(GESpec):
    column_list: list[str] = Field(min_length=1)
    ignore_row_if: Literal[
        "all_values_are_missing", "any_value_is_missing", "never"
    ] = "all_values_are_missing"
    mostly: float = mostly_field()


MultiSpecT = TypeVar("MultiSpecT", bound=GEMultiColumnSpec)


class GEMultiColumnCheck(GEMapCheck[MultiSpecT]):
    """A map expectation over several columns; the unexpected list holds {column: value}."""

    def columns(self) -> set[str]:
        return set(self.spec.column_list)

    def domain(self, ctx: QueryContext) -> ColumnElement[bool]:
        present = [ctx.col(name).is_not(None) for name in self.spec.column_list]
        if self.spec.ignore_row_if == "all_values_are_missing":
            return sa.or_(*present)
        if self.spec.ignore_row_if == "any_value_is_missing":
            return sa.and_(*present)
        return sa.true()

    def unexpected_columns(self, ctx: QueryContext) -> list[ColumnElement[Any]]:
        return [ctx.col(name) for name in self.spec.column_list]

    def format_unexpected(self, row: tuple[Any, ...]) -> Any:
        return {name: jsonable(value) for name, value in zip(self.spec.column_list, row, strict=True)}


# -- aggregate expectations --------------------------------------------------------------------

BetweenSpecT = TypeVar("BetweenSpecT", bound=GEBetweenSpec)


class GEColumnAggregateCheck(AggregateCheck[BetweenSpecT]):
    """``expect_column_<statistic>_to_be_between``: one statistic compared with the bounds."""

    default_dimension: ClassVar[str] = "accuracy"

    @abstractmethod
    def statistic(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        """The aggregates the statistic is computed from."""

    def observed(self, values: Mapping[str, Any]) -> Any:
        """The statistic from the values of :meth:`statistic` (default: its only value)."""
        (value,) = values.values()
        return plain(value)

    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        return {"rows": count_rows(), **self.statistic(ctx)}

    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        rows = as_int(values["rows"])
        observed = self.observed({k: v for k, v in values.items() if k != "rows"})
        spec = self.spec
        low, high = spec.min_value, spec.max_value
        if spec.parse_strings_as_datetimes and isinstance(observed, str):
            observed = parse_datetime(observed)
        return between_outcome(
            observed, low, high, spec.strict_min, spec.strict_max, element_count=rows,
        )


# -- expectations that need their own statement ----------------------------------------------------


class GEQueryCheck(QueryCheck[SpecT]):
    """An expectation that needs rows, distinct values or the table's shape: its own query."""

    default_dimension: ClassVar[str] = "validity"

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        return self.judge(connection, ctx, where)

    @abstractmethod
    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        """Query through ``connection`` and decide."""


class DistinctValuesSetCheck(GEQueryCheck[SpecT]):
    """The column's distinct non-null values compared with ``value_set``; subclasses decide."""

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        counts = sorted(value_counts(connection, ctx, self.column, where),
                        key=lambda item: value_order(item[0]))
        observed = [value for value, _ in counts]
        value_set: list[Any] | None = getattr(self.spec, "value_set", None)
        wanted = list(value_set or [])
        if getattr(self.spec, "parse_strings_as_datetimes", False):
            wanted = [parse_datetime(value) for value in wanted]
            observed = [parse_datetime(value) for value in observed]
        success, message = self.compare(set(observed), set(wanted), value_set is not None)
        return Outcome(**with_observed(
            {"success": success, "message": message, "expected_value": wanted,
             "details": {"value_counts_size": len(observed), "details": {"value_counts": [
                 {"value": jsonable(value), "count": n} for value, n in counts]}}}, observed))

    @abstractmethod
    def compare(self, present: set[Any], expected: set[Any], has_set: bool) -> tuple[bool, str | None]:
        """Success and the failure message, from the observed and the expected values."""


def value_order(value: Any) -> tuple[str, Any]:
    """Sort key for values of mixed types."""
    return (type(value).__name__, value)


def filtered(statement: sa.Select[Any], where: str | None) -> sa.Select[Any]:
    return statement.where(sa.text(where)) if where else statement


def column_values(
    connection: Connection, ctx: QueryContext, column: str, where: str | None, *,
    distinct: bool = False,
) -> list[Any]:
    """The non-null values of ``column`` (each once with ``distinct``)."""
    col = ctx.col(column)
    statement = filtered(sa.select(col).select_from(ctx.table).where(col.is_not(None)), where)
    if distinct:
        statement = statement.distinct()
    return [plain(row[0]) for row in connection.execute(statement)]


def value_counts(
    connection: Connection, ctx: QueryContext, column: str, where: str | None
) -> list[tuple[Any, int]]:
    """(value, count) of every non-null value, most frequent first."""
    col = ctx.col(column)
    statement = filtered(
        sa.select(col, sa.func.count().label("n")).select_from(ctx.table)
        .where(col.is_not(None)).group_by(col), where,
    )
    counts = [(plain(value), int(n)) for value, n in connection.execute(statement)]
    return sorted(counts, key=lambda item: -item[1])


def table_columns(connection: Connection, ctx: QueryContext) -> list[Any]:
    """The dataset's columns as the database reports them, in table order. Where reflection
    fails (duckdb-engine's inspector queries pg_catalog tables DuckDB lacks) the names come
    from an empty SELECT *, without types."""
    try:
        return list(sa.inspect(connection).get_columns(ctx.table.name, schema=ctx.table.schema))
    except sa.exc.DBAPIError:
        connection.rollback()
    if connection.dialect.name == "duckdb":
        found = duckdb_columns(connection, ctx.table.name, ctx.table.schema)
        if found:
            return found
    table = sa.table(ctx.table.name, schema=ctx.table.schema)
    result = connection.execute(sa.select(sa.text("*")).select_from(table).limit(0))
    names: list[str] = list(result.keys())
    return [{"name": name, "type": sa.types.NullType()} for name in names]


def with_observed(outcome_fields: dict[str, Any], observed: Any) -> dict[str, Any]:
    """Outcome arguments carrying a non-scalar observed value in details (lists, sets)."""
    details = dict(outcome_fields.pop("details", {}))
    details["ge_observed_value"] = jsonable(observed)
    scalar = observed if isinstance(observed, int | float | str) or observed is None else None
    return {**outcome_fields, "observed_value": scalar, "details": details}


class GEPythonMapCheck(GEQueryCheck[SpecT]):
    """A map expectation judged in Python (JSON, dateutil, strftime): reads the column's values
    in its own query and gives the unexpected values without a second one. When it fails, the
    failing-row samples cost one SELECT of the rows holding the first unexpected values; a
    masked column's values are masked in the unexpected lists too."""

    @abstractmethod
    def is_expected(self, value: Any) -> bool:
        """Whether one non-null value meets the expectation."""

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        col = ctx.col(self.column)
        statement = filtered(sa.select(col).select_from(ctx.table), where)
        values = [row[0] for row in connection.execute(statement)]
        domain = [value for value in values if value is not None]
        bad = [value for value in domain if not self.is_expected(value)]
        outcome = map_result(
            element_count=len(values), domain_count=len(domain), unexpected_count=len(bad),
            mostly=float(getattr(self.spec, "mostly", 1.0)),
        )
        settings = sample_settings(ctx)
        extra: dict[str, Any] = {}
        level = self.spec.result_level()
        if level != "BOOLEAN_ONLY":
            listed = masked_values(bad, self.column, ctx.failing_row_samples)
            extra["partial_unexpected_list"] = jsonable(listed[: self.spec.partial_count()])
            if level == "COMPLETE":
                extra["unexpected_list"] = jsonable(listed)
        if settings is not None and not outcome.success:
            extra.update(rows_with_values(
                connection, ctx, where, self.column, bad,
                lambda value: not self.is_expected(value), settings,
            ))
        return dataclasses.replace(outcome, details={**outcome.details, **extra})


def type_names(type_: Any) -> set[str]:
    """The upper-case names of a reflected column type's class and its SQLAlchemy ancestors."""
    return {cls.__name__.upper() for cls in type(type_).__mro__}
