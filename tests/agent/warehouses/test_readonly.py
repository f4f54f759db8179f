"""User SQL: one read statement per dialect, and read-only transactions on the real servers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.config.models import WarehouseConfig
from agent.warehouses.errors import QueryRefused, WarehouseError
from agent.warehouses.readonly import begin_read_only, end_read_only, ensure_single_select
from agent.warehouses.warehouse import Warehouse
from tests.support.backends import Backend
from tests.support.components import not_applicable

DIALECTS = ["postgresql", "mysql", "mariadb", "sqlite", "duckdb"]

ACCEPTED = {
    "SELECT 1": "SELECT 1",
    "  select * from t;  ": "select * from t",
    "SELECT 1;;": "SELECT 1",
    "-- the negative ones\nSELECT * FROM t WHERE a < 0": None,
    "/* header */ WITH c AS (SELECT 1 AS x) SELECT x FROM c": None,
    "SELECT * FROM t WHERE note = 'a;b'": None,
    "SELECT 'it''s; fine'": None,
    'SELECT "semi;colon" FROM t': None,
    "VALUES (1), (2)": None,
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", list(ACCEPTED))
def test_single_read_statements_are_accepted(sql: str, dialect: str) -> None:
    if dialect == "duckdb" and '"semi;colon"' in sql:
        sql = sql.replace("FROM t", "FROM (SELECT 1 AS \"semi;colon\") t")
    expected = ACCEPTED.get(sql) or sql.strip().rstrip(";").strip()
    assert ensure_single_select(sql, dialect) == expected


REFUSED_KEYWORD = {
    "DELETE FROM t": "'delete'",
    "update t set a = 1": "'update'",
    "INSERT INTO t VALUES (1)": "'insert'",
    "DROP TABLE t": "'drop'",
    "/* looks fine */ TRUNCATE t": "'truncate'",
    "-- a comment\nCOPY t TO '/tmp/x'": "'copy'",
    "EXPLAIN ANALYZE DELETE FROM t": "'explain'",
    "CALL p()": "'call'",
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("sql", "keyword"), list(REFUSED_KEYWORD.items()))
def test_statements_that_are_not_reads_are_refused(sql: str, keyword: str, dialect: str) -> None:
    with pytest.raises(QueryRefused, match=f"single SELECT .* got {keyword}"):
        ensure_single_select(sql, dialect)


def test_empty_sql_is_refused() -> None:
    with pytest.raises(QueryRefused, match="custom SQL is empty"):
        ensure_single_select("  ;  ", "postgresql")


SEPARATED = [
    "SELECT 1; DROP TABLE x",
    "SELECT * FROM t; DELETE FROM t",
    "SELECT E'\\''; COMMIT; DROP TABLE t; --'",  # PostgreSQL E'' string
    "SELECT 'a\\''; COMMIT; DROP TABLE t; -- '",  # MySQL backslash escape
    "SELECT 'a\\', E'\\'' ; DROP TABLE t; --'",  # both kinds in one statement
    "SELECT $$'$$; DROP TABLE t; --'",  # PostgreSQL dollar quotes
    "SELECT $tag$'$tag$; DROP TABLE t; --'",
    "SELECT /* /* */ ' */ 1; DROP TABLE t; --'",  # PostgreSQL nested comments
    "SELECT 1 --x'\n; DROP TABLE t; --'",  # '--x' is a comment in PostgreSQL, not in MySQL
    "SELECT 1 #'\n; DROP TABLE t; --'",  # '#' starts a MySQL comment
    "SELECT 1 /*! ; DROP TABLE t */",  # MySQL executes /*! ... */
    "SELECT 1 /*M! ; DROP TABLE t */",
]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mariadb", "sqlite"])
@pytest.mark.parametrize("sql", SEPARATED)
def test_hidden_statement_separators_are_refused(sql: str, dialect: str) -> None:
    with pytest.raises(QueryRefused, match="remove the ';' separators"):
        ensure_single_select(sql, dialect)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1; DROP TABLE x", "got: SELECT, DROP"),
        ("SELECT 1; COMMIT; DELETE FROM t", "got: SELECT, TRANSACTION, DELETE"),
        ("WITH x AS (SELECT 1) DELETE FROM t", "got: DELETE"),
        ("SELECT FROM WHERE (", "does not parse"),
    ],
)
def test_duckdb_statements_are_split_by_duckdb(sql: str, message: str) -> None:
    with pytest.raises(QueryRefused, match=message):
        ensure_single_select(sql, "duckdb")


def test_duckdb_reads_its_own_string_syntax() -> None:
    # In DuckDB a backslash is an ordinary character: this is one SELECT of one string.
    sql = "SELECT 'a\\''; x'"
    assert ensure_single_select(sql, "duckdb") == sql


WRITE_ERRORS = {
    "postgresql": "read-only transaction",
    "mariadb": "READ ONLY transaction",
    "sqlite": "readonly database",
}


async def test_read_only_transactions_refuse_writes_then_end(backend: Backend) -> None:
    """Past the parser check, the server itself refuses the write; the pooled connection
    is writable again for the next unit of work."""
    if backend.name not in WRITE_ERRORS:
        not_applicable("DuckDB has no read-only transaction; its parser is the guard")
    backend.create_table("t", {"id": sa.Integer()}, [{"id": 1}, {"id": 2}])
    table = backend.qualified("t")
    config = WarehouseConfig(url=backend.url, max_concurrency=1, pool={"size": 1,
                                                                       "max_overflow": 0})
    warehouse = Warehouse("w", config)

    def write_read_only(connection: Connection) -> None:
        begin_read_only(connection)
        try:
            connection.exec_driver_sql(f"DELETE FROM {table}")
        finally:
            connection.rollback()
            end_read_only(connection)

    def write(connection: Connection) -> int:
        deleted = connection.exec_driver_sql(f"DELETE FROM {table} WHERE id = 2").rowcount
        connection.commit()
        return int(deleted)

    try:
        with pytest.raises(WarehouseError, match=WRITE_ERRORS[backend.name]):
            await warehouse.run(write_read_only)
        assert await warehouse.run(lambda c: c.exec_driver_sql(
            f"SELECT count(*) FROM {table}").scalar()) == 2
        assert await warehouse.run(write) == 1
    finally:
        warehouse.close()
