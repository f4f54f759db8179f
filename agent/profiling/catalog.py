"""What the database catalogue says about a table: its size in bytes and estimated row count."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def _qualified(connection: Connection, schema: str | None, table: str) -> str:
    """The table's name quoted for the dialect (for ``to_regclass``, which parses it)."""
    preparer = connection.dialect.identifier_preparer
    name = preparer.quote(table)
    return f"{preparer.quote_schema(schema)}.{name}" if schema else name


def size_bytes(connection: Connection, schema: str | None, table: str) -> int | None:
    """Bytes on disk (table, indexes, TOAST) where the dialect can tell, else None."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        found = connection.execute(
            sa.select(sa.func.pg_total_relation_size(sa.func.to_regclass(
                sa.literal(_qualified(connection, schema, table)))))
        ).scalar()
        return None if found is None else int(found)
    if dialect in {"mysql", "mariadb"}:
        tables = sa.table("tables", sa.column("data_length"), sa.column("index_length"),
                          sa.column("table_schema"), sa.column("table_name"),
                          schema="information_schema")
        owner = sa.literal(schema) if schema else sa.func.database()
        found = connection.execute(
            sa.select(tables.c.data_length + tables.c.index_length)
            .where(tables.c.table_schema == owner, tables.c.table_name == table)
        ).scalar()
        return None if found is None else int(found)
    return None


def estimated_rows(connection: Connection, schema: str | None, table: str) -> int | None:
    """The planner's row estimate (cheap, possibly stale), or None."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        pg_class = sa.table("pg_class", sa.column("reltuples"), sa.column("oid"), schema="pg_catalog")
        found = connection.execute(
            sa.select(pg_class.c.reltuples).where(
                pg_class.c.oid == sa.func.to_regclass(sa.literal(_qualified(connection, schema, table))))
        ).scalar()
        return int(found) if found is not None and found > 0 else None
    if dialect == "duckdb":  # an exact count is a metadata lookup there
        return count_rows(connection, sa.table(table, schema=schema), None)
    return None


def count_rows(connection: Connection, source: sa.TableClause, where: str | None) -> int:
    query = sa.select(sa.func.count()).select_from(source)
    if where:
        query = query.where(sa.text(where))
    return int(connection.execute(query).scalar() or 0)
