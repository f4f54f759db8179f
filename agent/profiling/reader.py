"""Streaming a table's columns from the warehouse as NumPy batches.

Only the profiled columns are selected; rows come through a server-side cursor
(``stream_results`` with ``yield_per``) so memory stays at one batch whatever the table size.
Column types are read from the database catalogue and mapped to sketch kinds; types the
sketches cannot take (UUID, JSON, arrays, intervals, ...) are cast to text in the query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from agent.profiling.sampling import SamplePlan, sampled_source
from agent.sketches.values import ColumnKind

_INT53 = 2**53
_DOUBLE_CAST = {"postgresql", "duckdb"}


class ProfilingError(ValueError):
    """The table or its columns cannot be profiled as configured (the message says why)."""


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    sql_type: str
    kind: ColumnKind
    nullable: bool
    cast_to_text: bool = False


def kind_of(sql_type: sa.types.TypeEngine[Any]) -> tuple[ColumnKind, bool]:
    """Sketch kind of a SQL type, and whether it must be cast to text first."""
    if isinstance(sql_type, sa.Boolean | sa.Integer):
        return "integer", False
    if isinstance(sql_type, sa.Float):
        return "float", False
    if isinstance(sql_type, sa.Numeric):
        return ("integer" if sql_type.scale == 0 else "float"), False
    if isinstance(sql_type, sa.DateTime | sa.Date):
        return "temporal", False
    if isinstance(sql_type, sa.String | sa.Enum) and not isinstance(sql_type, sa.JSON):
        return "string", False
    return "string", True


_TEXT_KINDS: tuple[tuple[tuple[str, ...], ColumnKind], ...] = (
    (("HUGEINT", "UHUGEINT", "UBIGINT"), "float"),
    (("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "BOOLEAN",
      "INT"), "integer"),
    (("DOUBLE", "FLOAT", "REAL"), "float"),
    (("TIMESTAMP", "DATE"), "temporal"),
    (("VARCHAR", "CHAR", "TEXT", "STRING"), "string"),
)


def kind_of_name(type_name: str) -> tuple[ColumnKind, bool]:
    """Sketch kind of a type as information_schema spells it (e.g. DuckDB's ``DECIMAL(10,2)``)."""
    upper = type_name.upper().strip()
    if upper.startswith(("DECIMAL", "NUMERIC")):
        scale = upper.rstrip(")").split(",")[1].strip() if "," in upper else "0"
        return ("integer" if scale == "0" else "float"), False
    base = upper.split("(")[0].strip()
    for names, kind in _TEXT_KINDS:
        if base in names or (kind == "temporal" and base.startswith(names)):
            return kind, False
    return "string", True


def describe_columns(
    connection: Connection, schema: str | None, table: str, wanted: Sequence[str] = ()
) -> list[ColumnInfo]:
    """The table's columns (all, or ``wanted`` in that order) with kinds and nullability."""
    where = f"{schema}.{table}" if schema else table
    if connection.dialect.name == "duckdb":
        infos = _duckdb_columns(connection, schema, table)
    else:
        infos = _reflected_columns(connection, schema, table)
    if not infos:
        raise ProfilingError(f"table {where!r} does not exist or has no columns; "
                             "check the dataset's table and schema")
    if not wanted:
        return list(infos.values())
    missing = [name for name in wanted if name not in infos]
    if missing:
        raise ProfilingError(
            f"profile.columns: {', '.join(missing)} not in table {where!r}; "
            f"its columns are {', '.join(infos)}"
        )
    return [infos[name] for name in wanted]


def _reflected_columns(connection: Connection, schema: str | None, table: str) -> dict[str, ColumnInfo]:
    try:
        reflected = sa.inspect(connection).get_columns(table, schema=schema)
    except sa.exc.NoSuchTableError:
        return {}
    infos: dict[str, ColumnInfo] = {}
    for column in reflected:
        kind, cast = kind_of(column["type"])
        try:
            type_name = str(column["type"].compile(dialect=connection.dialect))
        except Exception:  # some reflected types cannot render on their own dialect
            type_name = type(column["type"]).__name__.upper()
        infos[column["name"]] = ColumnInfo(
            column["name"], type_name, kind, bool(column.get("nullable", True)), cast
        )
    return infos


def _duckdb_columns(connection: Connection, schema: str | None, table: str) -> dict[str, ColumnInfo]:
    """DuckDB's own information_schema (its SQLAlchemy reflection is not dependable)."""
    columns = sa.table("columns", sa.column("table_schema"), sa.column("table_name"),
                       sa.column("column_name"), sa.column("data_type"), sa.column("is_nullable"),
                       sa.column("ordinal_position"), schema="information_schema")
    owner = sa.literal(schema) if schema else sa.func.current_schema()
    rows = connection.execute(
        sa.select(columns.c.column_name, columns.c.data_type, columns.c.is_nullable)
        .where(columns.c.table_name == table, columns.c.table_schema == owner)
        .order_by(columns.c.ordinal_position)
    ).all()
    infos: dict[str, ColumnInfo] = {}
    for name, data_type, nullable in rows:
        kind, cast = kind_of_name(str(data_type))
        infos[str(name)] = ColumnInfo(str(name), str(data_type), kind, str(nullable).upper() == "YES", cast)
    return infos


def select_columns(
    table: sa.TableClause,
    columns: Sequence[ColumnInfo],
    dialect_name: str,
    sample: SamplePlan,
    *,
    where: str | None = None,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> sa.Select[Any]:
    """SELECT of ``columns`` (text casts where needed) from the (sampled) table."""
    source, sample_condition = sampled_source(table, dialect_name, sample)
    selected = [_selected(source.c[c.name], c, dialect_name) for c in columns]
    statement = sa.select(*selected).select_from(source)
    if where:
        statement = statement.where(sa.text(where))
    for condition in (*conditions, *([sample_condition] if sample_condition is not None else [])):
        statement = statement.where(condition)
    return statement


def epoch_micros_expression(column: sa.ColumnElement[Any], dialect_name: str) -> Any | None:
    """Timestamps as integer epoch microseconds where the dialect can (NumPy converts those
    ~100x faster than datetime objects); None elsewhere."""
    if dialect_name == "postgresql":
        return sa.cast(sa.func.round(sa.func.date_part("epoch", column) * 1_000_000), sa.BigInteger)
    if dialect_name == "duckdb":
        return sa.func.epoch_us(column)
    return None


def _selected(column: sa.ColumnElement[Any], info: ColumnInfo, dialect_name: str) -> Any:
    if info.cast_to_text:
        return sa.cast(column, sa.Text).label(info.name)
    if info.kind == "temporal":
        micros = epoch_micros_expression(column, dialect_name)
        if micros is not None:
            return micros.label(info.name)
    decimal = any(name in info.sql_type.upper() for name in ("NUMERIC", "DECIMAL"))
    if info.kind == "float" and decimal and dialect_name in _DOUBLE_CAST:
        # Decimal objects cost a conversion each; the sketches hold doubles anyway.
        return sa.cast(column, sa.Double).label(info.name)
    return column


def table_clause(schema: str | None, table: str, columns: Sequence[str]) -> sa.TableClause:
    return sa.table(table, *(sa.column(name) for name in columns), schema=schema)


def stream_batches(
    connection: Connection, statement: sa.Select[Any], columns: Sequence[ColumnInfo],
    batch_rows: int,
) -> Iterator[dict[str, np.ndarray]]:
    """Batches of at most ``batch_rows`` rows, each as {column: NumPy array}."""
    micros = epoch_micros_expression(sa.column("x"), connection.dialect.name) is not None
    result = connection.execution_options(stream_results=True, yield_per=batch_rows).execute(statement)
    try:
        for rows in result.partitions(batch_rows):
            if not rows:
                continue
            transposed = list(zip(*rows, strict=True))
            yield {
                info.name: to_array(values, info.kind, micros=micros)
                for info, values in zip(columns, transposed, strict=True)
            }
    finally:
        result.close()


def to_array(values: Sequence[Any], kind: ColumnKind, *, micros: bool = False) -> np.ndarray:
    """One column of driver values as the NumPy array its sketch takes (None -> NaN/NaT).

    Plain ints, floats and naive datetimes take NumPy's C conversion (temporal values arrive as
    epoch microseconds with ``micros``, see :func:`epoch_micros_expression`); anything else (Decimal,
    zone-aware datetimes, unexpected types) goes in as objects for the sketch to convert or to
    reject with a message naming the column."""
    types = set(map(type, values))
    has_null = type(None) in types
    types.discard(type(None))
    if kind == "temporal" and micros and types <= {int}:
        return _micros_to_datetimes(values, has_null)
    if kind == "integer" and types == {bool} and not has_null:
        return np.array(values, dtype=np.bool_).astype(np.int64)
    if kind == "integer" and types <= {int, bool}:
        if not has_null and _fits_int64(values):
            return np.array(values, dtype=np.int64)
        if has_null:
            floats = np.array(values, dtype=np.float64)
            present = floats[~np.isnan(floats)]
            if float(np.abs(present).max(initial=0.0)) < _INT53:
                return floats
    elif kind == "float" and types <= {int, float, bool, Decimal}:
        return np.array(values, dtype=np.float64)
    elif kind == "temporal" and types <= {dt.datetime, dt.date} and not _any_aware(values, types):
        return np.array(values, dtype="datetime64[us]")
    return _objects(values)


def _micros_to_datetimes(values: Sequence[Any], has_null: bool) -> np.ndarray:
    if not has_null:
        return np.array(values, dtype=np.int64).astype("datetime64[us]")
    floats = np.array(values, dtype=np.float64)
    missing = np.isnan(floats)
    result = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
    result[~missing] = floats[~missing].astype(np.int64).astype("datetime64[us]")
    return result


def _objects(values: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _fits_int64(values: Sequence[Any]) -> bool:
    try:
        return min(values) >= -(2**63) and max(values) < 2**63
    except TypeError:
        return False


def _any_aware(values: Sequence[Any], types: set[type]) -> bool:
    if dt.datetime not in types:
        return False
    return any(v is not None and getattr(v, "tzinfo", None) is not None for v in values)
