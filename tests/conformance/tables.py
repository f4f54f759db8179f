"""A case dataset as a real table: the backend's column types from the case's ``schemas`` (or
inferred from the values, as pandas would), and nothing else (table-shape expectations count the columns)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from dateutil import parser as dateparser

from tests.conformance.cases import GE_BACKEND, Dataset
from tests.support.backends import Backend

_TEXT = {"TEXT", "VARCHAR", "CHAR", "STRING", "NVARCHAR", "CHARACTER VARYING"}
_INT = {"INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT", "INT64"}
_FLOAT = {"FLOAT", "DOUBLE_PRECISION", "DOUBLE", "REAL", "NUMERIC", "DECIMAL", "FLOAT64"}
_TIME = {"TIMESTAMP", "DATETIME", "TIMESTAMP_NTZ", "TIMESTAMP WITHOUT TIME ZONE"}


def table_name(dataset: Dataset) -> str:
    return "ge_" + hashlib.sha1(dataset.key.encode()).hexdigest()[:16]


def declared_types(dataset: Dataset, backend: str) -> dict[str, str]:
    schema = dataset.schemas.get(GE_BACKEND[backend]) or {}
    return {column: schema.get(column) or infer(values) for column, values in dataset.data.items()}


def infer(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "TEXT"
    if all(isinstance(v, bool) for v in present):
        return "BOOLEAN"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "BIGINT"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "FLOAT"
    return "TEXT"


def sql_type(name: str, backend: str) -> tuple[str, sa.types.TypeEngine[Any]]:
    upper = name.upper()
    if upper == "DOUBLE_PRECISION":
        return "DOUBLE PRECISION", sa.Float()
    if upper in _TIME:
        ddl = "TIMESTAMP" if backend != "sqlite" else upper
        return ddl, sa.DateTime()
    if upper == "DATE":
        return "DATE", sa.Date()
    if upper in _INT:
        return upper, sa.BigInteger()
    if upper in _FLOAT:
        if upper == "FLOAT" and backend != "sqlite":  # pandas floats are 64-bit; DuckDB FLOAT is not
            return "DOUBLE PRECISION", sa.Float()
        return upper, sa.Float()
    if upper == "BOOLEAN":
        return "BOOLEAN", sa.Boolean()
    if upper in _TEXT:
        return "TEXT" if backend == "postgresql" and upper == "STRING" else upper, sa.Text()
    return upper, sa.Text()


def convert(value: Any, type_: sa.types.TypeEngine[Any]) -> Any:
    if value is None:
        return None
    if isinstance(type_, sa.DateTime):
        return value if isinstance(value, datetime) else dateparser.parse(str(value))
    if isinstance(type_, sa.Date):
        return value if isinstance(value, date) else dateparser.parse(str(value)).date()
    if isinstance(type_, sa.Text):
        return value if isinstance(value, str) else str(value)
    return value


def create(backend: Backend, dataset: Dataset) -> str:
    """Create (or replace) the dataset's table; returns its name. Multi-table cases give a list
    of named tables: each is created under its name, the first one is the dataset."""
    if isinstance(dataset.data, list):
        names = [create_table(backend, part["dataset_name"], part["data"], {}, dataset)
                 for part in dataset.data]
        return names[0]
    return create_table(backend, table_name(dataset), dataset.data, dataset.schemas, dataset)


def create_table(
    backend: Backend, name: str, data: dict[str, list[Any]], schemas: dict[str, dict[str, str]],
    dataset: Dataset,
) -> str:
    schema = schemas.get(GE_BACKEND[backend.name]) or {}
    types = {column: schema.get(column) or infer(values) for column, values in data.items()}
    preparer = backend.engine.dialect.identifier_preparer
    columns: list[sa.ColumnClause[Any]] = []
    ddl: list[str] = []
    for column, declared in types.items():
        ddl_type, sa_type = sql_type(declared, backend.name)
        ddl.append(f"{preparer.quote(column)} {ddl_type}")
        columns.append(sa.column(column, sa_type))
    qualified = preparer.quote(name) if not backend.schema else (
        f"{preparer.quote(backend.schema)}.{preparer.quote(name)}"
    )
    length = max((len(values) for values in data.values()), default=0)
    rows = [
        {**{
            c.name: convert(data[c.name][i] if i < len(data[c.name]) else None,
                            c.type)
            for c in columns
        }}
        for i in range(length)
    ]
    table = sa.table(name, *columns, schema=backend.schema)
    with backend.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {qualified}")
        connection.exec_driver_sql(f"CREATE TABLE {qualified} ({', '.join(ddl)})")
        if rows:
            connection.execute(table.insert(), rows)
    return name
