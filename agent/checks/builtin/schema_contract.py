"""schema_contract: the table has every declared column, each of its declared logical type.

Logical types are the data-contract ones (string, integer, number, decimal, float, boolean,
timestamp, date, time, binary, json); a column matches when its SQL type name is one of the
type's family (VARCHAR and TEXT are strings, BIGINT is an integer, ...). A column declared
without a type only has to exist. The observed value is the number of problems.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import Connection

from agent.checks.base import CheckSpec, QueryCheck, QueryContext
from agent.checks.results import Outcome
from agent.schema.snapshot import read_schema

_INTEGER = r"(TINY|SMALL|MEDIUM|BIG|HUGE|U)?INT(EGER)?\d*|U?(TINY|SMALL|BIG|HUGE)INT|(BIG)?SERIAL|LONG"
_DECIMAL = r"DECIMAL|NUMERIC|NUMBER|DEC|MONEY"
_FLOAT = r"FLOAT\d*|DOUBLE( PRECISION)?|REAL"
# Each logical type and the SQL type names (without length or precision) it accepts.
LOGICAL_TYPES: dict[str, str] = {
    "string": r"(N|VAR|NVAR)?CHAR(ACTER)?( VARYING)?|VARCHAR\d|(TINY|MEDIUM|LONG)?TEXT|STRING|CLOB|UUID|ENUM",
    "integer": _INTEGER,
    "number": f"{_INTEGER}|{_DECIMAL}|{_FLOAT}",
    "decimal": _DECIMAL,
    "float": _FLOAT,
    "boolean": r"BOOL(EAN)?|BIT|TINYINT",
    "timestamp": r"TIMESTAMP( WITH(OUT)? TIME ZONE)?|TIMESTAMPTZ|TIMESTAMP_(S|MS|NS)|DATETIME\d*",
    "date": r"DATE",
    "time": r"TIME( WITH(OUT)? TIME ZONE)?|TIMETZ",
    "binary": r"BLOB|BYTEA|(VAR)?BINARY|(TINY|MEDIUM|LONG)BLOB",
    "json": r"JSONB?",
}
TYPE_ALIASES: dict[str, str] = {
    "text": "string", "varchar": "string", "int": "integer", "long": "integer",
    "bigint": "integer", "numeric": "decimal", "double": "float", "bool": "boolean",
    "datetime": "timestamp", "timestamp_tz": "timestamp", "timestamp_ntz": "timestamp",
    "bytes": "binary", "object": "json",
}


def logical_type(name: str) -> str:
    """The canonical logical type of ``name``; ValueError names the accepted ones."""
    key = name.strip().lower()
    key = TYPE_ALIASES.get(key, key)
    if key not in LOGICAL_TYPES:
        known = ", ".join(sorted(LOGICAL_TYPES))
        raise ValueError(f"unknown type {name!r}; use one of {known}")
    return key


def matches(sql_type: str, logical: str) -> bool:
    """Whether a column's SQL type (as the database names it) is of the logical type."""
    base = re.sub(r"\(.*?\)", "", sql_type.upper()).replace("[]", "").strip()
    return re.fullmatch(LOGICAL_TYPES[logical], base) is not None


class SchemaContractSpec(CheckSpec):
    type: Literal["schema_contract"]
    columns: dict[str, str | None] = Field(
        min_length=1, description="Column name -> logical type (or null: it only has to exist)."
    )

    @field_validator("columns")
    @classmethod
    def _known_types(cls, columns: dict[str, str | None]) -> dict[str, str | None]:
        return {name: None if kind is None else logical_type(kind) for name, kind in columns.items()}


class SchemaContractCheck(QueryCheck[SchemaContractSpec]):
    spec_model = SchemaContractSpec
    default_dimension = "consistency"

    def columns(self) -> set[str]:
        return set(self.spec.columns)

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        actual = {c.name: c.type for c in read_schema(connection, ctx.table.name, ctx.table.schema)}
        missing = sorted(name for name in self.spec.columns if name not in actual)
        wrong = {
            name: {"expected": kind, "actual": actual[name]}
            for name, kind in self.spec.columns.items()
            if kind is not None and name in actual and not matches(actual[name], kind)
        }
        problems = len(missing) + len(wrong)
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if wrong:
            parts.append("wrong types " + ", ".join(
                f"{name} is {w['actual']}, expected {w['expected']}" for name, w in wrong.items()))
        return Outcome(
            success=problems == 0, observed_value=problems, expected_value=0,
            message="; ".join(parts) or None,
            details={"missing": missing, "wrong_types": wrong},
        )
