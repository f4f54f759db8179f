"""Failing-row samples: fetched only for failing row-level checks, limited, masked everywhere they
are kept or shown (result JSON, history store, rule-file JSON) and never exported as metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.checks.failing_rows import MASK, FailingRowSamples, cell, masked_rows
from agent.checks.results import Status
from agent.cli import main
from agent.commands.check import render_json
from tests.agent.checks.builtin.support import run_checks
from tests.support.agent_run import run_dataset_once, sample_config
from tests.support.backends import Backend

SECRET_SSN = "078-05-1120"
SECRET_MAIL = "jane.secret@example.org"
COLUMNS = {"id": sa.Integer(), "email": sa.String(60), "SSN": sa.String(20),
           "amount": sa.Integer(), "status": sa.String(10)}
ROWS = [
    {"id": i, "email": None if i < 4 else f"user{i}@example.org", "SSN": f"000-00-{i:04d}",
     "amount": -i if i % 3 == 0 else i, "status": "paid" if i % 5 else "lost"}
    for i in range(1, 31)
] + [{"id": 99, "email": SECRET_MAIL, "SSN": SECRET_SSN, "amount": -1000, "status": "lost"}]
CHECKS: list[dict[str, Any]] = [
    {"type": "not_null", "column": "email"},
    {"type": "range", "column": "amount", "min": 0},
    {"type": "accepted_values", "column": "status", "values": ["paid"]},
    {"type": "regex", "column": "email", "pattern": "^user[0-9]@"},
    {"type": "expect_column_values_to_be_between", "column": "amount", "min_value": 0},
    {"type": "unique", "column": "status"},
    {"type": "not_null", "column": "id", "name": "passing"},
    {"type": "row_count", "min": 1000},  # fails, but has no row-level verdict
]


async def test_samples_are_limited_and_masked(backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(
        backend, tmp_path, CHECKS, columns=COLUMNS, rows=ROWS,
        options={"failing_row_samples": {"limit": 3, "mask": ["ssn", "Email"]}},
    )
    failing = [name for name, result in ran.results.items() if result.status == Status.FAIL]
    assert sorted(failing) == sorted([
        "not_null_email", "range_amount", "accepted_values_status", "regex_email",
        "expect_column_values_to_be_between_amount", "unique_status", "row_count"])
    sampled = {name: ran[name].outcome.details.get("failing_rows") for name in failing}
    assert sampled.pop("row_count") is None
    assert "failing_rows" not in ran["passing"].outcome.details
    for name, rows in sampled.items():
        assert rows is not None and len(rows) == 3, name  # each check has more than 3
        for row in rows:
            assert set(row) == set(COLUMNS), (name, row)
            assert row["SSN"] == MASK, (name, row)  # mask names match case-insensitively
            assert row["email"] in (MASK, None), (name, row)  # a NULL stays NULL
    assert all(row["amount"] < 0 for row in sampled["range_amount"])
    assert all(row["email"] is None for row in sampled["not_null_email"])
    assert all(row["status"] == "lost" for row in sampled["accepted_values_status"])
    # the fused scan, then one sample per failing row-level check; on PostgreSQL unique_status's
    # GROUP BY is a statement of its own, run alongside the scan, after one catalogue query for
    # the statistics of the grouped column (whose other counts could move into its GROUP BY)
    assert ran.run.queries == 1 + 6 + (2 if backend.name == "postgresql" else 0)
    shown = render_json(ran.run.results)
    stored = json.dumps([result.to_record() for result in ran.run.results])
    for text in (shown, stored):
        assert SECRET_SSN not in text and SECRET_MAIL not in text
        assert "000-00-" not in text and "@example.org" not in text
    assert json.loads(shown)[1]["failing_rows"][0]["SSN"] == MASK


async def test_limit_zero_turns_samples_off(duckdb_backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(duckdb_backend, tmp_path, CHECKS, columns=COLUMNS, rows=ROWS,
                           options={"failing_row_samples": {"limit": 0}})
    assert ran.run.queries == 1
    assert not any("failing_rows" in r.outcome.details for r in ran.results.values())


async def test_default_limit_chosen_columns_and_errors(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    ran = await run_checks(duckdb_backend, tmp_path, CHECKS[:2], columns=COLUMNS, rows=ROWS,
                           options={"failing_row_samples": {"columns": ["id", "amount"]}})
    rows = ran["range_amount"].outcome.details["failing_rows"]
    assert len(rows) == FailingRowSamples().limit == 5
    assert all(set(row) == {"id", "amount"} and row["amount"] < 0 for row in rows)
    broken = await run_checks(duckdb_backend, tmp_path, CHECKS[:1], columns=COLUMNS, rows=ROWS,
                              options={"failing_row_samples": {"columns": ["nope"]}})
    result = broken["not_null_email"]
    assert result.status == Status.FAIL  # a failed sample does not change the verdict
    assert "nope" in result.outcome.details["failing_rows_error"]
    assert "failing_rows" not in result.outcome.details


def test_cells_are_json_safe_and_text_is_cut() -> None:
    rows = masked_rows(["a", "b", "c"], [(b"\x00\x01", "x" * 500, None)], mask=["c"])
    assert rows == [{"a": "<2 bytes>", "b": "x" * 200 + "...", "c": None}]
    assert cell(12.5) == 12.5 and cell(True) is True


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"], indirect=True)
async def test_the_agent_stores_masked_samples_and_exports_none(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.create_table("t", COLUMNS, ROWS)
    ran = await run_dataset_once(
        sample_config(backend, tmp_path, CHECKS[:2], ["ssn", "email"]), monkeypatch)
    exposition = ran.exposition
    assert "range_amount" in exposition  # the checks are exported ...
    for raw in (SECRET_SSN, SECRET_MAIL, "-1000", MASK, "failing_rows"):
        assert raw not in exposition  # ... their samples are not
    stored, latest = ran.stored, ran.latest
    assert SECRET_SSN not in stored and SECRET_MAIL not in stored and MASK in stored
    by_name = {result.check: result for result in latest.results}
    samples = by_name["range_amount"].outcome.details["failing_rows"]
    assert len(samples) == 5  # the default limit
    assert all(row["amount"] < 0 and row["SSN"] == MASK for row in samples)


RULE = """\
rule_id: payments
dataset: {dataset}
failing_row_samples: {{limit: 2, mask: [ssn, status]}}
expectations:
  - expectation_type: expect_column_values_to_be_in_set
    column: status
    kwargs: {{value_set: [paid]}}
  - expectation_type: expect_column_values_to_not_be_null
    column: id
"""


def test_rule_file_json_shows_the_samples(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb_backend.create_table("payments", COLUMNS, ROWS)
    rule = tmp_path / "payments.yaml"
    rule.write_text(RULE.format(dataset="payments"), encoding="utf-8")
    code = main(["check", "--warehouse", duckdb_backend.url, "--rules", str(rule), "--once",
                 "--format", "json", "--no-history"])
    out = capsys.readouterr().out
    assert code == 1
    results = {r["expectation"]: r for r in json.loads(out)["results"]}
    in_set = results["expect_column_values_to_be_in_set"]
    assert len(in_set["failing_rows"]) == 2
    for row in in_set["failing_rows"]:  # rows whose status is 'lost'
        assert row["id"] % 5 == 0 or row["id"] == 99
        assert row["status"] == MASK and row["SSN"] == MASK
    # a masked column's values are masked in Great Expectations' unexpected lists too
    assert in_set["unexpected_count"] == 7
    assert in_set["partial_unexpected_list"] == [MASK] * 7
    assert "failing_rows" not in results["expect_column_values_to_not_be_null"]
    assert SECRET_SSN not in out and "000-00-" not in out and "lost" not in out
