"""Failing-row samples of checks that run their own statement: expectations judged in Python
(JSON, JSON schema, dateutil, strftime) and user queries whose rows are the failing rows
(custom_sql, unexpected_rows_expectation). Same semantics as the row-predicate checks: limited,
whole rows or `columns`, masked, none for passing checks or `limit: 0`; counted statements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.checks.failing_rows import MASK, FailingRowSamples
from agent.checks.query_samples import shown_rows
from agent.checks.results import CheckResult, Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.cli import main
from agent.commands.check import render_json
from agent.warehouses.warehouse import Warehouse
from tests.conftest import make_config
from tests.support.agent_run import run_dataset_once, sample_config
from tests.support.backends import Backend

SECRET_SSN = "078-05-1120"
SECRET_PAYLOAD = "TRUE-secret-payload"
COLUMNS = {"id": sa.Integer(), "payload": sa.String(40), "born": sa.String(30),
           "SSN": sa.String(20), "note": sa.String(10)}
ROWS: list[dict[str, Any]] = [
    {"id": i, "payload": f"not json {i}" if i % 4 == 0 else f'{{"a": {i}}}',
     "born": f"someday {i}" if i % 3 == 0 else f"2024-01-{i:02d}",
     "SSN": f"000-00-{i:04d}", "note": None if i % 5 == 0 else '"x"'}
    for i in range(1, 13)
] + [
    # not JSON, though a case-insensitive collation equates it with the next row's valid 'true'
    {"id": 97, "payload": "TRUE", "born": "2024-01-20", "SSN": "000-00-0097", "note": '"x"'},
    # valid JSON but not an object; a date dateutil reads and '%Y-%m-%d' does not
    {"id": 98, "payload": "true", "born": "2024/01/05", "SSN": "000-00-0098", "note": '"x"'},
    # the secrets: an unparseable payload on a masked column, and a masked SSN
    {"id": 99, "payload": SECRET_PAYLOAD, "born": "2024-02-01", "SSN": SECRET_SSN, "note": '"x"'},
]
FAILING_IDS = {  # check name -> ids of the rows failing it
    "expect_column_values_to_be_json_parseable_payload": {4, 8, 12, 97, 99},
    "expect_column_values_to_match_json_schema_payload": {4, 8, 12, 97, 98, 99},
    "expect_column_values_to_be_dateutil_parseable_born": {3, 6, 9, 12},
    "expect_column_values_to_match_strftime_format_born": {3, 6, 9, 12, 98},
    "tail_rows": {97, 98, 99},
    "many_rows": set(range(1, 13)),
    "unexpected_rows_expectation": {5, 10},
}
CHECKS: list[dict[str, Any]] = [
    {"type": "expect_column_values_to_be_json_parseable", "column": "payload"},
    {"type": "expect_column_values_to_match_json_schema", "column": "payload",
     "json_schema": {"type": "object", "required": ["a"]}},
    {"type": "expect_column_values_to_be_dateutil_parseable", "column": "born"},
    {"type": "expect_column_values_to_match_strftime_format", "column": "born",
     "strftime_format": "%Y-%m-%d"},
    {"type": "expect_column_values_to_be_json_parseable", "column": "note", "name": "passing"},
    {"type": "custom_sql", "name": "tail_rows", "query": "SELECT * FROM {table} WHERE id >= 97"},
    {"type": "custom_sql", "name": "many_rows", "query": "SELECT * FROM {table} WHERE id < 50"},
    {"type": "custom_sql", "name": "clean", "query": "SELECT * FROM {table} WHERE id > 1000"},
    {"type": "unexpected_rows_expectation",
     "unexpected_rows_query": "SELECT * FROM {batch} WHERE note IS NULL"},
]
PYTHON_JUDGED = [name for name in FAILING_IDS if name.startswith("expect_")]


async def run_counted(
    backend: Backend, tmp_path: Path, count_queries: Any, samples: dict[str, Any],
    checks: list[dict[str, Any]] = CHECKS, *, table: str = "t",
    columns: dict[str, Any] = COLUMNS, rows: list[dict[str, Any]] = ROWS,
) -> tuple[DatasetRun, dict[str, CheckResult], list[str]]:
    """Run ``checks`` on a fresh table with these sample settings; results and statements."""
    backend.create_table(table, columns, rows)
    dataset: dict[str, Any] = {"table": table, "checks": checks, "failing_row_samples": samples}
    if backend.schema:
        dataset["schema"] = backend.schema
    config = make_config(backend, {"d": dataset}, tmp_path)
    warehouse = Warehouse("w", config.warehouses["w"])
    counter = count_queries(warehouse.engine)
    try:
        run = await DatasetRunner("d", config.datasets["d"], warehouse).run()
    finally:
        warehouse.close()
    return run, {result.check: result for result in run.results}, counter.statements


async def test_samples_of_python_judged_checks_and_user_queries(
    backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    run, results, statements = await run_counted(
        backend, tmp_path, count_queries, {"limit": 2, "mask": ["ssn"]})
    failing = {name for name, result in results.items() if result.status == Status.FAIL}
    assert failing == set(FAILING_IDS)
    for name, ids in FAILING_IDS.items():
        rows = results[name].outcome.details["failing_rows"]
        assert len(rows) == 2, (name, rows)  # each check has more than 2 failing rows
        for row in rows:
            assert {key.lower() for key in row} == {key.lower() for key in COLUMNS}, (name, row)
            assert row["id"] in ids, (name, row)  # only rows that fail the check
            assert row["SSN"] == MASK, (name, row)  # mask names match case-insensitively
    for name in ("passing", "clean"):
        assert results[name].status == Status.PASS
        assert "failing_rows" not in results[name].outcome.details
    assert results["many_rows"].outcome.observed_value == 12  # counted past the fetched rows
    assert results["tail_rows"].outcome.observed_value == 3
    assert results["unexpected_rows_expectation"].outcome.unexpected_count == 2
    # The fused scan (row count), one statement per check, one SELECT of sample rows per
    # failing Python-judged check; a user query returning as many rows as it fetched (limit + 1)
    # is counted by a COUNT(*) of its own: tail_rows (3 rows) and many_rows, not the
    # unexpected_rows_expectation's 2 rows.
    assert len(statements) == 1 + len(CHECKS) + len(PYTHON_JUDGED) + 2, statements
    samples = [s for s in statements if " IN (" in s.upper()]
    assert len(samples) == len(PYTHON_JUDGED)
    assert all("LIMIT" in s.upper() for s in samples)
    shown = render_json(run.results)
    stored = json.dumps([result.to_record() for result in run.results])
    for text in (shown, stored):
        assert SECRET_SSN not in text and "000-00-" not in text


async def test_masked_checked_column_and_chosen_columns(
    backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    """A masked checked column is masked in the samples and in the unexpected lists; with
    `columns` only those are shown (a user query's rows keep the ones it returns)."""
    checks = [CHECKS[0], CHECKS[2],
              {"type": "custom_sql", "name": "two_columns",
               "query": "SELECT id, payload FROM {table} WHERE id >= 98"}]
    run, results, _ = await run_counted(
        backend, tmp_path, count_queries,
        {"limit": 5, "mask": ["ssn", "Payload"], "columns": ["id", "payload", "SSN"]},
        checks)
    json_check = results["expect_column_values_to_be_json_parseable_payload"].outcome.details
    assert json_check["partial_unexpected_list"] == [MASK] * 5
    # on MariaDB 'TRUE' is compared as bytes, or the valid 'true' row would take a place
    assert sorted(row["id"] for row in json_check["failing_rows"]) == [4, 8, 12, 97, 99]
    for row in json_check["failing_rows"]:
        assert {key.lower() for key in row} == {"id", "payload", "ssn"}
        assert row["payload"] == MASK
    dates = results["expect_column_values_to_be_dateutil_parseable_born"].outcome.details
    assert dates["partial_unexpected_list"] == [f"someday {i}" for i in (3, 6, 9, 12)]
    # `born` is read to re-judge the values but not shown: it is not among `columns`
    assert all({key.lower() for key in row} == {"id", "payload", "ssn"}
               for row in dates["failing_rows"])
    assert sorted(row["id"] for row in dates["failing_rows"]) == [3, 6, 9, 12]
    tail = results["two_columns"].outcome.details["failing_rows"]
    assert sorted(row["id"] for row in tail) == [98, 99]
    assert all(set(row) == {"id", "payload"} and row["payload"] == MASK for row in tail)
    shown = render_json(run.results)
    stored = json.dumps([result.to_record() for result in run.results])
    for text in (shown, stored):
        assert SECRET_PAYLOAD not in text and "not json" not in text


async def test_limit_zero_costs_nothing(
    duckdb_backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    _run, results, statements = await run_counted(
        duckdb_backend, tmp_path, count_queries, {"limit": 0})
    assert results["many_rows"].outcome.observed_value == 12
    assert results["expect_column_values_to_be_json_parseable_payload"].status == Status.FAIL
    assert not any("failing_rows" in r.outcome.details for r in results.values())
    assert len(statements) == 1 + len(CHECKS)  # the user queries are counted, not fetched
    assert all("count(*)" in s.lower() for s in statements if "user_query" in s)


async def test_a_failed_sample_leaves_the_verdict_alone(
    duckdb_backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    _run, results, _ = await run_counted(
        duckdb_backend, tmp_path, count_queries, {"columns": ["id", "nope"]}, CHECKS[:1])
    result = results["expect_column_values_to_be_json_parseable_payload"]
    assert result.status == Status.FAIL and result.outcome.unexpected_count == 5
    assert "nope" in result.outcome.details["failing_rows_error"]
    assert "failing_rows" not in result.outcome.details


def test_shown_rows_pick_columns_case_insensitively() -> None:
    settings = FailingRowSamples(limit=1, mask=["b"], columns=["A", "b", "missing"])
    rows = shown_rows(["a", "B", "c"], [(1, "x", 3), (2, "y", 4)], settings)
    assert rows == [{"a": 1, "B": MASK}]


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"], indirect=True)
async def test_the_agent_stores_masked_samples_and_exports_none(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.create_table("t", COLUMNS, ROWS)
    ran = await run_dataset_once(
        sample_config(backend, tmp_path, [CHECKS[0], CHECKS[5]], ["ssn", "payload"]), monkeypatch)
    exposition = ran.exposition
    assert "tail_rows" in exposition  # the checks are exported ...
    for raw in (SECRET_SSN, SECRET_PAYLOAD, MASK, "failing_rows", "not json"):
        assert raw not in exposition  # ... their samples are not
    stored, latest = ran.stored, ran.latest
    assert SECRET_SSN not in stored and SECRET_PAYLOAD not in stored and MASK in stored
    by_name = {result.check: result for result in latest.results}
    parse = by_name["expect_column_values_to_be_json_parseable_payload"].outcome.details
    assert sorted(row["id"] for row in parse["failing_rows"]) == [4, 8, 12, 97, 99]
    tail = by_name["tail_rows"].outcome.details["failing_rows"]
    assert sorted(row["id"] for row in tail) == [97, 98, 99]
    assert all(row["payload"] == MASK and row["SSN"] == MASK for row in tail)


RULE = """\
rule_id: payloads
dataset: {dataset}
failing_row_samples: {{limit: 2, mask: [ssn, payload]}}
expectations:
  - expectation_type: expect_column_values_to_be_json_parseable
    column: payload
  - expectation_type: unexpected_rows_expectation
    kwargs:
      unexpected_rows_query: "SELECT * FROM {{batch}} WHERE note IS NULL"
  - expectation_type: expect_column_values_to_be_dateutil_parseable
    column: born
    kwargs: {{mostly: 0.5}}
"""


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"], indirect=True)
def test_rule_file_json_shows_the_samples(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.create_table("payloads", COLUMNS, ROWS)
    rule = tmp_path / "payloads.yaml"
    dataset = f"{backend.schema}.payloads" if backend.schema else "payloads"
    rule.write_text(RULE.format(dataset=dataset), encoding="utf-8")
    code = main(["check", "--warehouse", backend.url, "--rules", str(rule), "--once",
                 "--format", "json", "--no-history"])
    out = capsys.readouterr().out
    assert code == 1
    results = {r["expectation"]: r for r in json.loads(out)["results"]}
    parse = results["expect_column_values_to_be_json_parseable"]
    assert parse["success"] is False and parse["unexpected_count"] == 5
    assert parse["partial_unexpected_list"] == [MASK] * 5
    assert len(parse["failing_rows"]) == 2
    for row in parse["failing_rows"]:
        assert row["id"] in {4, 8, 12, 97, 99} and row["payload"] == MASK and row["SSN"] == MASK
    unexpected = results["unexpected_rows_expectation"]
    assert sorted(row["id"] for row in unexpected["failing_rows"]) == [5, 10]
    dates = results["expect_column_values_to_be_dateutil_parseable"]
    assert dates["success"] is True and "failing_rows" not in dates  # mostly 0.5 holds
    assert SECRET_SSN not in out and SECRET_PAYLOAD not in out and "000-00-" not in out


ORDER_COLUMNS = {"id": sa.Integer(), "x": sa.Integer(), "day": sa.Text(), "SSN": sa.String(20)}
X = [1, 2, 2, None, 3, 1, 5, 0]
DAYS = ["1/1/2016", "1/2/2016", "2/2/2016", None, "12/1/2015", "3/1/2016", "10/1/2016", "1/1/2000"]
ORDERED_ROWS = [{"id": i, "x": x, "day": day, "SSN": SECRET_SSN if i == 5 else f"000-00-{i:04d}"}
                for i, (x, day) in enumerate(zip(X, DAYS, strict=True))]


def increasing(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": "expect_column_values_to_be_increasing", "name": name, "column": "x",
            "order_by": "id", **kwargs}


@pytest.mark.parametrize("mask", [["ssn"], ["ssn", "X", "day"]])
async def test_samples_of_values_out_of_order(
    backend: Backend, tmp_path: Path, count_queries: Any, mask: list[str]
) -> None:
    """The rows that break the order, in row order: in SQL they come with the unexpected values
    in one SELECT; compared in Python they are read again up to the last one."""
    checks = [increasing("in_sql"), increasing("strictly", strictly=True),
              increasing("parsed", column="day", parse_strings_as_datetimes=True),
              increasing("passing", column="id")]
    run, _, statements = await run_counted(
        backend, tmp_path, count_queries, {"limit": 2, "mask": mask}, checks,
        table="o", columns=ORDER_COLUMNS, rows=list(reversed(ORDERED_ROWS)))
    results = {result.check: result.outcome.details for result in run.results}
    masked = "x" in [name.lower() for name in mask]
    expected = {"in_sql": ([5, 7], [1, 0]), "strictly": ([2, 5], [2, 1, 0]),
                "parsed": ([4, 7], ["12/1/2015", "1/1/2000"])}
    for name, (ids, values) in expected.items():
        rows = results[name]["failing_rows"]
        assert [row["id"] for row in rows] == ids, name
        assert all({key.lower() for key in row} == {"id", "x", "day", "ssn"} for row in rows)
        assert all(row["SSN"] == MASK for row in rows)
        assert results[name]["partial_unexpected_list"] == ([MASK] * len(values) if masked
                                                             else values), name
        if masked:
            assert all(row["x"] in (MASK, None) and row["day"] in (MASK, None) for row in rows)
    assert "failing_rows" not in results["passing"]
    # the row count, then per expectation its ordered statement and one of its failing rows
    # (the passing one: its ordered statement only)
    assert len(statements) == 1 + 2 * len(expected) + 1, statements
    stored = json.dumps([result.to_record() for result in run.results])
    assert SECRET_SSN not in stored and SECRET_SSN not in render_json(run.results)


async def test_out_of_order_samples_of_chosen_columns(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    checks = [increasing("in_sql"),
              increasing("parsed", column="day", parse_strings_as_datetimes=True)]
    duckdb_backend.create_table("o", ORDER_COLUMNS, ORDERED_ROWS)
    config = make_config(duckdb_backend, {"d": {
        "table": "o", "checks": checks, "failing_row_samples": {"columns": ["id"]}}}, tmp_path)
    warehouse = Warehouse("w", config.warehouses["w"])
    try:
        run = await DatasetRunner("d", config.datasets["d"], warehouse).run()
    finally:
        warehouse.close()
    results = {result.check: result.outcome.details for result in run.results}
    assert results["in_sql"]["failing_rows"] == [{"id": 5}, {"id": 7}]
    assert results["in_sql"]["partial_unexpected_list"] == [1, 0]
    assert results["parsed"]["failing_rows"] == [{"id": 4}, {"id": 7}]
