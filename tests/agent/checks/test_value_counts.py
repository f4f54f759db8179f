"""Single-column counts over a column's distinct values on PostgreSQL: moved into the grouping
the column's uniqueness runs anyway when it is a string column whose statistics say it has few
distinct values per row, with exactly the verdicts and counts the fused scan gives; kept in the
scan otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from agent.checks.value_counts import (
    ColumnStats,
    grouped_column,
    movable_columns,
    move_value_counts,
    read_column_stats,
)
from agent.config.models import Config
from tests.agent.checks.plans import postgres_plan
from tests.agent.checks.test_subqueries import run, verdicts
from tests.conftest import make_config
from tests.support.backends import Backend

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {"id": sa.Integer(), "code": sa.String(10)}
# 3,000 rows, 31 codes: c0..c29 repeat, "bad!" (every 100th row) breaks the pattern, NULLs too
ROWS = [{"id": i, "code": None if i % 250 == 0 else "bad!" if i % 100 == 0 else f"c{i % 30}"}
        for i in range(1, 3001)]
CHECKS: list[dict[str, Any]] = [
    {"type": "unique", "column": "code", "name": "code_unique"},
    {"type": "regex", "column": "code", "pattern": "^c[0-9]+$", "name": "code_regex"},
    {"type": "expect_column_values_to_match_regex", "column": "code", "regex": "^c[12]",
     "mostly": 0.5, "name": "ge_match"},
    {"type": "expect_column_values_to_not_match_regex", "column": "code", "regex": "!",
     "name": "ge_not_match"},
    {"type": "expect_column_values_to_be_unique", "column": "code", "name": "ge_unique"},
    {"type": "not_null", "column": "code", "name": "code_not_null"},
    {"type": "regex", "column": "id", "pattern": "^[0-9]+$", "name": "id_regex"},
    {"type": "unique", "column": "id", "name": "id_unique"},
]
MOVED_REGEXES = 3  # code_regex, ge_match, ge_not_match


def _config(backend: Backend, tmp_path: Path, *, analyse: bool, where: str | None = None,
            concurrency: int = 4) -> Config:
    backend.create_table("t", COLUMNS, ROWS)
    if analyse:
        with backend.engine.begin() as connection:
            connection.exec_driver_sql(f'ANALYZE "{backend.schema}"."t"')
    dataset: dict[str, Any] = {"table": backend.qualified("t"), "checks": CHECKS,
                               "failing_row_samples": {"limit": 0}}
    if where:
        dataset["where"] = where
    return make_config(backend, {"t": dataset}, tmp_path, max_concurrency=concurrency)


def _scan_and_grouped(spans: list[tuple[float, float, str]]) -> tuple[str, list[str]]:
    scans = [sql for _, _, sql in spans if sql.lstrip().startswith("SELECT count(*) AS m0")]
    assert len(scans) == 1, scans
    return scans[0], [sql for _, _, sql in spans if "dq_value_counts" in sql]


async def test_regex_counts_move_into_the_grouping_with_the_same_results(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    for where in (None, "id > 1500", "id < 0"):
        fused, _ = await run(_config(postgres_backend, tmp_path, analyse=True, where=where,
                                     concurrency=1))
        split, spans = await run(_config(postgres_backend, tmp_path, analyse=True, where=where))
        assert verdicts(split) == verdicts(fused), where
        for moved, kept in zip(split.results, fused.results, strict=True):
            assert moved.outcome.element_count == kept.outcome.element_count, moved.check
            assert moved.outcome.missing_count == kept.outcome.missing_count, moved.check
        scan, grouped = _scan_and_grouped(spans)
        assert len(grouped) == 1, grouped  # one statement for the column, none for id
        assert grouped[0].count("~") == MOVED_REGEXES
        assert "t.code" not in scan  # its nulls, non-null rows and patterns moved too
        assert "t.id AS VARCHAR) ~" in scan  # id has a distinct value per row: stays
    assert {r.check: r.status.value for r in split.results}["code_regex"] == "pass"  # id < 0


async def test_failing_counts_agree_and_are_exact(postgres_backend: Backend, tmp_path: Path) -> None:
    split, _ = await run(_config(postgres_backend, tmp_path, analyse=True))
    by_name = {r.check: r for r in split.results}
    bad = sum(1 for row in ROWS if row["code"] == "bad!")
    assert by_name["code_regex"].outcome.unexpected_count == bad
    assert by_name["ge_not_match"].outcome.unexpected_count == bad
    starts_c1_or_c2 = sum(1 for row in ROWS if row["code"] and row["code"][:2] in ("c1", "c2"))
    non_null = sum(1 for row in ROWS if row["code"] is not None)
    assert by_name["ge_match"].outcome.unexpected_count == non_null - starts_c1_or_c2
    assert by_name["ge_unique"].outcome.unexpected_count == non_null  # every code repeats
    assert by_name["code_not_null"].outcome.unexpected_count == 3000 - non_null


async def test_without_statistics_the_regexes_stay_in_the_scan(
    postgres_backend: Backend, tmp_path: Path
) -> None:
    """Never analysed: nothing says the column has few values, so nothing moves; the catalog
    query is the one statement it costs."""
    split, spans = await run(_config(postgres_backend, tmp_path, analyse=False))
    scan, grouped = _scan_and_grouped(spans)
    assert grouped == []
    assert "t.code AS VARCHAR) ~" in scan
    assert sum("pg_stats s" in sql for _, _, sql in spans) == 1
    fused, _ = await run(_config(postgres_backend, tmp_path, analyse=False, concurrency=1))
    assert verdicts(split) == verdicts(fused)


def test_which_columns_could_move(tmp_path: Path) -> None:
    plan = postgres_plan(CHECKS, tmp_path)
    found = sorted(grouped_column(expression) or ("", "") for expression in plan.subqueries.values())
    assert found == [("dq_distinct_values", "code"), ("dq_distinct_values", "id"),
                     ("dq_repeated_keys", "code")]
    assert sorted(movable_columns(plan)) == ["code", "id"]
    # a regex on a column nobody groups has nowhere to go
    assert movable_columns(postgres_plan([CHECKS[1]], tmp_path)) == []
    # a grouped column whose only other counts are of its NULLs is not worth a catalogue query;
    # one with a value-set count is
    nulls_only = [CHECKS[0], {"type": "not_null", "column": "code"}]
    assert movable_columns(postgres_plan(nulls_only, tmp_path)) == []
    in_set = [*nulls_only, {"type": "accepted_values", "column": "code", "values": ["c1"]}]
    assert movable_columns(postgres_plan(in_set, tmp_path)) == ["code"]


def _reads(expression: Any, column: str) -> bool:
    return f"t.{column}" in str(expression.compile(dialect=postgresql.dialect()))


def test_statistics_decide_what_moves(tmp_path: Path) -> None:
    def moved(stats: dict[str, ColumnStats]) -> list[str]:
        plan = postgres_plan(CHECKS, tmp_path)
        scan = plan.queries[0].expressions
        on_code = sum(_reads(expression, "code") for expression in scan.values())
        on_id = sum(_reads(expression, "id") for expression in scan.values())
        scan_before = len(scan)
        columns = move_value_counts(plan, stats)
        removed = scan_before - len(plan.queries[0].expressions)
        assert removed == (on_code if "code" in columns else 0) + (on_id if "id" in columns else 0)
        for column in columns:
            assert not any(_reads(expression, column) for expression in scan.values())
        return columns

    few = ColumnStats(distinct_share=0.01, correlation=0.1, same_string_groups=True)
    ordered_ids = ColumnStats(distinct_share=1.0, correlation=1.0, same_string_groups=True)
    assert moved({"code": few, "id": ordered_ids}) == ["code"]
    assert moved({"code": ColumnStats(0.6, 0.1, same_string_groups=True)}) == []
    assert moved({"code": ColumnStats(0.01, 0.995, same_string_groups=True)}) == []  # sorted
    assert moved({"code": ColumnStats(None, None, same_string_groups=True)}) == []
    assert moved({"code": ColumnStats(0.01, 0.1, same_string_groups=False)}) == []  # not a string
    assert moved({}) == []
    assert sorted(moved({"code": few, "id": few})) == ["code", "id"]


def test_only_string_columns_with_a_deterministic_collation_group_as_the_same_value(
    postgres_backend: Backend,
) -> None:
    """``1.0`` and ``1.00`` are one numeric group with two texts, ``'a'`` and ``'A'`` one group
    under a case-insensitive collation, ``'a'`` and ``'a  '`` one ``bpchar`` group: a condition
    on the group's value would not hold for all of its rows, so such columns keep their counts
    in the scan."""
    backend = postgres_backend
    table = backend.qualified("kinds")
    backend.execute(f'CREATE COLLATION IF NOT EXISTS "{backend.schema}".ci '
                    "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)")
    backend.execute(
        f'CREATE TABLE {table} (code text, coded varchar(5) COLLATE "C", amount numeric, '
        f'folded text COLLATE "{backend.schema}".ci, padded bpchar)')
    backend.execute(f"INSERT INTO {table} VALUES ('a', 'a', 1.0, 'a', 'a'), "
                    "('A', 'A', 1.00, 'A', 'a  ')")
    backend.execute(f"ANALYZE {table}")
    with backend.engine.connect() as connection:
        # the numeric and case-insensitive groupings really merge values with different texts
        assert connection.exec_driver_sql(
            f"SELECT count(DISTINCT amount), count(DISTINCT amount::text), "
            f"count(DISTINCT folded), count(DISTINCT folded::bytea), "
            f"count(DISTINCT padded), count(DISTINCT octet_length(padded::bytea)) "
            f"FROM {table}").one() == (1, 2, 1, 2, 1, 2)
        stats = read_column_stats(connection, sa.table("kinds", schema=backend.schema),
                                  ["code", "coded", "amount", "folded", "padded"])
    assert {name: found.same_string_groups for name, found in stats.items()} == {
        "code": True, "coded": True, "amount": False, "folded": False, "padded": False}
