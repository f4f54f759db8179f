"""Fixed-shape regular expressions compile to LIKE and character-set tests on PostgreSQL, with
exactly the regex's verdicts, checked against the real PostgreSQL's own ``~``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from agent.checks.expressions import count_where, regex_matches
from agent.checks.fixed_patterns import fixed_shape
from tests.agent.checks.test_subqueries import run, verdicts
from tests.conftest import make_config
from tests.support.backends import Backend

REWRITTEN = [
    "^ORD-[0-9]{8}$",
    "^SKU-[A-Z]{3}-[0-9]{4}$",
    "^[A-Z]{2}$",
    "^[a-f0-9]{4}-[a-f0-9]{4}$",
    "^[0-9][0-9][0-9]$",
    "^a_%\\.b$",
    "^x\\\\y$",
    "^[._%+-]{2}z$",
    "^[-a]{3}$",
    "^abc$",
    "^$",
    "^ $",
    "^[A-Za-z][0-9]{1}$",
    "^x\\\\[0-9]$",  # a literal backslash before a class: such values take convert_to
    "^[a-z0-9]{4}$",
]
KEPT = [
    r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$",  # open repetition
    "ORD-[0-9]{8}$",  # not anchored at the start
    "^ORD-[0-9]{8}",  # not anchored at the end
    "^ORD-[0-9]{8}\\$",  # the last $ is a literal
    "^[0-9]{2,4}$",  # a range of repetitions
    "^[0-9]?$",
    "^\\d{3}$",  # an escape class
    "^[^0-9]{3}$",  # a negated class
    "^[[:digit:]]{3}$",  # a named class
    "^[a-Z]$",  # a range across kinds
    "^[9-0]$",  # a backwards range
    "^a.c$",
    "^(ab){2}$",
    "^a|b$",
    "^é{2}$",  # a non-ASCII character
    "^a{0}$",
    "^[]a]$",
    "^a{300000}$",
]
VALUES = [
    "ORD-12345678", "ORD-1234567", "ORD-123456789", "ORD-1234567a", "ord-12345678", "ORD_12345678",
    "ORD-12345678\n", "ORD-1234\n678", "ORD-١٢٣٤٥٦٧٨", "XORD-12345678",
    "SKU-ABC-1234", "SKU-AbC-1234", "SKU-ABC-12345", "SKU-ÄBC-1234", "SKU-ABC_1234", "SKU-ABC-12 4",
    "DE", "De", "D", "DEU", "\uff24\uff25", "ab12-cd34", "AB12-cd34", "0123-4567", "123", "12", "1234", "١٢٣",
    "a_%.b", "abc%.b", "a_%xb", "a\\_%.b", "x\\y", "xy", "x\\\\y", "._z", "+-z", "%_z", "a-z",
    "-a-", "aaa", "a-", "abc", "ABC", "", " ", "  ", "a1", "Z9", "a12", "é1", "aa", "ac", "abbc",
    # a backslash, which a cast to bytea would read as an escape
    "ORD-1234\\678", "SKU-A\\C-1234", "x\\5", "x\\a", "\\x41", "ab\\1", "\\\\12",
]


def _compiled(condition: sa.ColumnElement[bool]) -> str:
    return str(sa.select(condition).compile(dialect=postgresql.dialect()))


def test_which_patterns_are_rewritten() -> None:
    for pattern in REWRITTEN:
        assert fixed_shape(pattern) is not None, pattern
    for pattern in KEPT:
        assert fixed_shape(pattern) is None, pattern


def test_the_shape_of_a_pattern() -> None:
    shape = fixed_shape("^SKU-[A-Z]{3}-[0-9]{4}$")
    assert shape is not None and shape.like == "SKU-___-____"
    assert [(run.start, run.length, run.chars) for run in shape.runs] == [
        (5, 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), (9, 4, "0123456789")]
    escaped = fixed_shape("^a_%\\.b$")
    assert escaped is not None and escaped.like == "a\\_\\%.b" and escaped.runs == ()
    adjacent = fixed_shape("^[0-9]{2}[a-c][0-9]$")
    assert adjacent is not None
    assert [(run.start, run.length) for run in adjacent.runs] == [(1, 2), (3, 1), (4, 1)]


def test_postgresql_sql_has_no_regex_for_a_fixed_shape_and_keeps_it_otherwise() -> None:
    column: sa.ColumnClause[str] = sa.column("code")
    assert "~" not in _compiled(regex_matches(column, sa.literal("^ORD-[0-9]{8}$")))
    assert "LIKE" in _compiled(regex_matches(column, sa.literal("^ORD-[0-9]{8}$")))
    assert "~" in _compiled(regex_matches(column, sa.literal("^ORD-[0-9]+$")))


def test_every_verdict_agrees_with_postgresql_regex(postgres_backend: Backend) -> None:
    """Each rewritten pattern against every value (non-ASCII digits and letters, newlines,
    LIKE's own wildcards, lengths one off): the rewrite and ``~`` agree, NULL included."""
    values = sa.values(sa.column("v", sa.Text), name="vals").data([(v,) for v in VALUES]
                                                                   + [(None,)])
    checked = 0
    with postgres_backend.engine.connect() as connection:
        for pattern in REWRITTEN:
            regex = values.c.v.op("~")(sa.literal(pattern))
            rewritten = regex_matches(values.c.v, sa.literal(pattern))
            rows = connection.execute(sa.select(values.c.v, regex, rewritten)).all()
            disagreements = [(value, by_regex, by_rewrite)
                             for value, by_regex, by_rewrite in rows if by_regex != by_rewrite]
            assert not disagreements, (pattern, disagreements)
            assert any(by_regex for _, by_regex, _ in rows), f"{pattern} matches no value"
            checked += len(rows)
    assert checked == len(REWRITTEN) * (len(VALUES) + 1)


def test_statements_differing_only_in_the_pattern_do_not_share_a_compiled_form(
    postgres_backend: Backend,
) -> None:
    """The SQL depends on the pattern's value: a compiled form cached for one pattern and
    reused for another would count the first pattern's matches again."""
    import re

    postgres_backend.create_table("vals", {"v": sa.Text()}, [{"v": v} for v in VALUES])
    table = sa.table("vals", sa.column("v"), schema=postgres_backend.schema)
    patterns = ("^[a-z]{3}$", "^[a-z]{2}$", "^[a-z0-9-]{3}$", "^[A-Za-z0-9]{2}$")
    expected = {p: sum(1 for v in VALUES if re.fullmatch(p[1:-1], v)) for p in patterns}
    assert len(set(expected.values())) == len(patterns)
    with postgres_backend.engine.connect() as connection:
        counts = {
            pattern: connection.execute(sa.select(count_where(
                regex_matches(table.c.v, sa.literal(pattern))))).scalar_one()
            for pattern in patterns
        }
    assert counts == expected


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_checks_give_the_regex_verdicts_through_the_agent(
    postgres_backend: Backend, tmp_path: Path, concurrency: int,
) -> None:
    """regex and Great Expectations' match / not-match checks on a table: the counts the
    agent reports equal Python's ``re`` on the same rows (ASCII patterns, ASCII data)."""
    import re

    refs: list[str | None] = [None if i % 97 == 0 else f"ORD-{i:08d}" if i % 13 else
                              f"ORD-{i:07d}x" for i in range(1, 2001)]
    rows = [{"id": i, "ref": ref} for i, ref in enumerate(refs, start=1)]
    postgres_backend.create_table("t", {"id": sa.Integer(), "ref": sa.String(20)}, rows)
    checks: list[dict[str, Any]] = [
        {"type": "regex", "column": "ref", "pattern": "^ORD-[0-9]{8}$", "name": "ref_shape"},
        {"type": "expect_column_values_to_match_regex", "column": "ref",
         "regex": "^ORD-[0-9]{7}[0-9]$", "name": "ge_match"},
        {"type": "expect_column_values_to_not_match_regex", "column": "ref",
         "regex": "^ORD-[0-9]{7}x$", "name": "ge_not_match"},
    ]
    config = make_config(postgres_backend, {"t": {
        "table": postgres_backend.qualified("t"), "checks": checks,
        "failing_row_samples": {"limit": 0}}}, tmp_path, max_concurrency=concurrency)
    ran, spans = await run(config)
    assert not any(" ~ " in sql for _, _, sql in spans)
    present = [ref for ref in refs if ref is not None]
    shaped = sum(1 for ref in present if re.fullmatch(r"ORD-[0-9]{8}", ref))
    odd = sum(1 for ref in present if re.fullmatch(r"ORD-[0-9]{7}x", ref))
    assert 0 < odd < len(present) and shaped + odd == len(present)
    found = verdicts(ran)
    assert found["ref_shape"][2] == odd
    assert found["ge_match"][2] == odd
    assert found["ge_not_match"][2] == odd
