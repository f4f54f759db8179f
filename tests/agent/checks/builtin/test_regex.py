"""regex: the SQL each dialect gets, and the same verdicts on every backend (search semantics,
case-sensitive, NULLs neither matching nor failing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb_engine
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from agent.checks.base import QueryContext
from agent.checks.builtin.regex import RegexCheck, RegexSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {"id": sa.Integer(), "word": sa.String(10), "num": sa.Integer()}
WORDS = ["abc", "ABC", "ab1", "a-b", None, "zz"]
NUMS = [10, 25, 300, 7, None, None]
ROWS = [
    {"id": i, "word": w, "num": n} for i, (w, n) in enumerate(zip(WORDS, NUMS, strict=True))
]


def _unexpected_sql(dialect: Dialect) -> tuple[str, dict[str, object]]:
    check = RegexCheck(RegexSpec(type="regex", column="word", pattern="^[a-z]+$"))
    context = QueryContext(
        table=sa.table("t", sa.column("word")), dialect=dialect, now=datetime.now(UTC)
    )
    compiled = check.metrics(context)["unexpected"].compile(dialect=dialect)
    return str(compiled), dict(compiled.params)


def test_postgresql_uses_the_tilde_operator() -> None:
    sql, params = _unexpected_sql(postgresql.dialect())
    assert "CAST(t.word AS VARCHAR) ~ %(param_1)s" in sql
    assert "REGEXP" not in sql.upper()
    assert params["param_1"] == "^[a-z]+$"


def test_duckdb_uses_regexp_matches() -> None:
    sql, params = _unexpected_sql(duckdb_engine.Dialect())
    assert "NOT regexp_matches(CAST(t.word AS VARCHAR), %(param_1)s)" in sql
    assert params["param_1"] == "^[a-z]+$"


@pytest.mark.parametrize("url", ["mariadb+pymysql://u@h/d", "mysql+pymysql://u@h/d"])
def test_mariadb_and_mysql_use_a_case_sensitive_regexp(url: str) -> None:
    sql, params = _unexpected_sql(sa.create_engine(url).dialect)
    assert "(CAST(t.word AS CHAR) REGEXP concat(" in sql
    assert (params["param_1"], params["param_2"]) == ("(?-i)", "^[a-z]+$")


def test_sqlite_uses_the_registered_regexp_function() -> None:
    sql, params = _unexpected_sql(sqlite.dialect())
    assert "CAST(t.word AS VARCHAR) REGEXP ?" in sql
    assert params["param_1"] == "^[a-z]+$"
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:  # pysqlite registers regexp() on connect
        assert connection.exec_driver_sql("SELECT 'xab' REGEXP 'a'").scalar() == 1
    engine.dispose()


async def test_same_verdicts_on_every_backend(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "regex", "column": "word", "name": "lower", "pattern": "^[a-z]+$"},
        {"type": "regex", "column": "word", "name": "search", "pattern": "b"},
        {"type": "regex", "column": "word", "name": "digit", "pattern": "[0-9]"},
        {"type": "regex", "column": "word", "name": "upper_only", "pattern": "^[A-Z]+$"},
        {"type": "regex", "column": "num", "name": "two_digits", "pattern": "^[0-9]{2}$"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    unexpected = {name: r.outcome.unexpected_count for name, r in ran.results.items()}
    assert unexpected == {
        "lower": 3,  # ABC, ab1, a-b
        "search": 2,  # ABC (case-sensitive), zz
        "digit": 4,  # all but ab1
        "upper_only": 4,  # all but ABC
        "two_digits": 2,  # 300 and 7; an integer column is matched as text
    }
    lower = ran["lower"].outcome
    assert ran["lower"].status == Status.FAIL
    assert lower.observed_value == 3 / 5
    assert (lower.element_count, lower.missing_count) == (6, 1)
    assert lower.expected_value == "^[a-z]+$"
    assert ran["two_digits"].outcome.missing_count == 2
    assert ran["two_digits"].outcome.observed_value == 2 / 4
    assert ran.run.queries == 1 + 5  # the fused scan, a failing-row sample per failing check


async def test_mostly_at_the_exact_threshold(backend: Backend, tmp_path: Path) -> None:
    checks = [  # 2 of 5 non-null words are lower-case letters only
        {"type": "regex", "column": "word", "name": "at", "pattern": "^[a-z]+$", "mostly": 0.4},
        {"type": "regex", "column": "word", "name": "above", "pattern": "^[a-z]+$",
         "mostly": 0.41},
        {"type": "regex", "column": "word", "name": "info", "pattern": "^[a-z]+$",
         "severity": "info"},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=ROWS)
    assert ran["at"].status == Status.PASS
    assert ran["above"].status == Status.FAIL
    assert ran["info"].status == Status.WARN


async def test_quotes_in_the_pattern_are_bound(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": 1, "word": "it's", "num": 1}, {"id": 2, "word": "its", "num": 2}]
    checks = [{"type": "regex", "column": "word", "pattern": "'"}]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=rows)
    assert ran["regex_word"].outcome.unexpected_count == 1
    assert ran["regex_word"].status == Status.FAIL


async def test_nulls_only_and_empty(backend: Backend, tmp_path: Path) -> None:
    check = [{"type": "regex", "column": "word", "pattern": "^x$"}]
    rows = [{"id": 1, "word": None, "num": None}]
    ran = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=rows)
    assert ran["regex_word"].status == Status.PASS
    assert (ran["regex_word"].outcome.unexpected_count, ran["regex_word"].outcome.missing_count) \
        == (0, 1)
    empty = await run_checks(backend, tmp_path, check, columns=COLUMNS, rows=[])
    assert empty["regex_word"].status == Status.PASS
    assert empty["regex_word"].outcome.element_count == 0


def test_invalid_pattern_is_rejected_with_the_pattern() -> None:
    with pytest.raises(ValidationError, match=r"invalid regular expression '\[a-'"):
        RegexSpec(type="regex", column="c", pattern="[a-")
