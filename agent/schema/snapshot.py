"""Reading a table's columns: name, type, nullability and position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    position: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "nullable": self.nullable,
                "position": self.position}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnInfo:
        return cls(name=str(data["name"]), type=str(data["type"]),
                   nullable=bool(data["nullable"]), position=int(data["position"]))


def read_schema(connection: Connection, table: str, schema: str | None) -> list[ColumnInfo]:
    """The columns of ``schema.table`` in table order.

    SQLAlchemy's inspector first; where it fails (duckdb-engine queries pg_catalog tables DuckDB
    lacks) the standard information_schema.columns.
    """
    try:
        reflected = sa.inspect(connection).get_columns(table, schema=schema)
    except sa.exc.DBAPIError:
        connection.rollback()
        return _from_information_schema(connection, table, schema)
    return [
        ColumnInfo(name=str(column["name"]), type=_type_name(column["type"], connection),
                   nullable=bool(column.get("nullable", True)), position=index)
        for index, column in enumerate(reflected)
    ]


def _type_name(type_: Any, connection: Connection) -> str:
    try:
        return str(type_.compile(dialect=connection.dialect)).upper()
    except Exception:  # types a dialect cannot render keep their class name
        return type(type_).__name__.upper()


def _from_information_schema(
    connection: Connection, table: str, schema: str | None
) -> list[ColumnInfo]:
    columns = sa.table(
        "columns", sa.column("table_name"), sa.column("table_schema"), sa.column("column_name"),
        sa.column("data_type"), sa.column("is_nullable"), sa.column("ordinal_position"),
        schema="information_schema",
    )
    query = (sa.select(columns.c.column_name, columns.c.data_type, columns.c.is_nullable)
             .where(columns.c.table_name == table).order_by(columns.c.ordinal_position))
    if schema is not None:
        query = query.where(columns.c.table_schema == schema)
    rows = connection.execute(query).all()
    return [
        ColumnInfo(name=str(name), type=str(data_type).upper(),
                   nullable=str(nullable).upper() == "YES", position=index)
        for index, (name, data_type, nullable) in enumerate(rows)
    ]
