"""Column types of a DuckDB table from information_schema, for the type expectations: the
duckdb-engine inspector queries PostgreSQL catalog tables DuckDB lacks. Defines no check type."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class VARCHAR(sa.VARCHAR, sa.TEXT):
    """DuckDB's one string type, also spelled TEXT and STRING: it matches all three names."""


_TYPES: dict[str, type[sa.types.TypeEngine[Any]]] = {
    "BOOLEAN": sa.BOOLEAN, "TINYINT": sa.SMALLINT, "SMALLINT": sa.SMALLINT,
    "INTEGER": sa.INTEGER, "BIGINT": sa.BIGINT, "HUGEINT": sa.NUMERIC, "FLOAT": sa.REAL,
    "REAL": sa.REAL, "DOUBLE": sa.DOUBLE_PRECISION, "DECIMAL": sa.NUMERIC, "VARCHAR": VARCHAR,
    "DATE": sa.DATE, "TIME": sa.TIME, "TIMESTAMP": sa.TIMESTAMP, "INTERVAL": sa.Interval,
    "TIMESTAMP WITH TIME ZONE": sa.TIMESTAMP, "BLOB": sa.LargeBinary, "UUID": sa.Uuid,
    "JSON": sa.JSON,
}


def duckdb_type(name: str) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type of a DuckDB data_type name such as INTEGER or DECIMAL(18,3)."""
    base = name.split("(", 1)[0].strip().upper()
    found = _TYPES.get(base)
    if found is sa.TIMESTAMP and "TIME ZONE" in base:
        return sa.TIMESTAMP(timezone=True)
    return found() if found is not None else sa.types.NullType()


def duckdb_columns(connection: Connection, table: str, schema: str | None) -> list[dict[str, Any]]:
    """Name and type of each column of ``table``, in table order (empty if there is none)."""
    columns = sa.table("columns", sa.column("table_name"), sa.column("table_schema"),
                       sa.column("column_name"), sa.column("data_type"),
                       sa.column("ordinal_position"), schema="information_schema")
    in_schema = (columns.c.table_schema == schema if schema
                 else columns.c.table_schema == sa.func.current_schema())
    statement = (sa.select(columns.c.column_name, columns.c.data_type)
                 .where(columns.c.table_name == table, in_schema)
                 .order_by(columns.c.ordinal_position))
    return [{"name": name, "type": duckdb_type(str(data_type))}
            for name, data_type in connection.execute(statement)]
