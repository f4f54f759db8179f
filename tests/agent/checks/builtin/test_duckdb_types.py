"""Column types on DuckDB from information_schema (its inspector fails), as the type
expectations see them; and the missing counts of median / most common value."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.checks.builtin.duckdb_types import duckdb_type
from agent.checks.builtin.ge_base import type_names
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend


def test_duckdb_type_names() -> None:
    assert {"VARCHAR", "TEXT", "STRING"} <= type_names(duckdb_type("VARCHAR"))
    assert "NUMERIC" in type_names(duckdb_type("DECIMAL(18,3)"))
    assert "DOUBLE_PRECISION" in type_names(duckdb_type("DOUBLE"))
    assert type_names(duckdb_type("STRUCT(a INTEGER)")) == type_names(sa.types.NullType())


async def test_type_expectations_on_duckdb(duckdb_backend: Backend, tmp_path: Path) -> None:
    columns = {"i": sa.Integer(), "s": sa.Text(), "b": sa.Boolean()}
    checks = [
        {"type": "expect_column_values_to_be_of_type", "name": "int", "column": "i",
         "type_": "INTEGER"},
        {"type": "expect_column_values_to_be_of_type", "name": "text", "column": "s",
         "type_": "TEXT"},
        {"type": "expect_column_values_to_be_of_type", "name": "wrong", "column": "b",
         "type_": "INTEGER"},
        {"type": "expect_column_values_to_be_in_type_list", "name": "list", "column": "b",
         "type_list": ["INTEGER", "BOOLEAN"]},
    ]
    ran = await run_checks(duckdb_backend, tmp_path, checks, columns=columns,
                           rows=[{"i": 1, "s": "a", "b": True}])
    assert {name: r.status for name, r in ran.results.items()} == {
        "int": Status.PASS, "text": Status.PASS, "wrong": Status.FAIL, "list": Status.PASS}
    assert ran["wrong"].outcome.observed_value == "BOOLEAN"


async def test_median_and_most_common_count_the_nulls(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "expect_column_median_to_be_between", "name": "median", "column": "x",
         "min_value": 2, "max_value": 2},
        {"type": "expect_column_most_common_value_to_be_in_set", "name": "mode", "column": "x",
         "value_set": [1]},
        {"type": "expect_column_distinct_values_to_be_in_set", "name": "distinct",
         "column": "x", "value_set": [1, 2, 3]},
    ]
    rows = [{"x": x} for x in (1, 1, 2, 3, 3, None, None, None)]
    ran = await run_checks(backend, tmp_path, checks, columns={"x": sa.Integer()}, rows=rows)
    median = ran["median"].outcome
    assert (median.observed_value, median.element_count, median.missing_count) == (2, 8, 3)
    assert median.details["missing_percent"] == 37.5
    mode = ran["mode"]
    assert mode.status == Status.FAIL  # 1 and 3 tie; 3 is not in the set
    assert (mode.outcome.element_count, mode.outcome.missing_count) == (8, 3)
    assert ran["distinct"].outcome.details["details"]["value_counts"] == [
        {"value": 1, "count": 2}, {"value": 2, "count": 1}, {"value": 3, "count": 2}]
