"""The issue's rule file, unchanged, on DuckDB and PostgreSQL: CLI JSON shape, fusion, unexpected
values, templates, versions and the consecutive-failure alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.cli import main
from agent.config.models import WarehouseConfig
from agent.rules.convert import RuleError
from agent.rules.loader import load_rules
from agent.rules.runner import run_rule
from agent.warehouses.warehouse import Warehouse
from tests.support.backends import Backend, open_backend

RULE = """\
rule_id: "user_table_freshness_check"
dataset: "{dataset}"
rule_type: "freshness"
schedule: "0 * * * *"  # Hourly
expectations:
  - expectation_type: "expect_table_row_count_to_be_between"
    kwargs:
      min_value: 10
      max_value: 1000000000
  - expectation_type: "expect_column_values_to_not_be_null"
    column: "user_id"
    kwargs:
      mostly: 1.0
  - expectation_type: "expect_column_values_to_be_unique"
    column: "user_id"
    kwargs:
      mostly: 0.999
  - expectation_type: "expect_column_values_to_match_regex"
    column: "email"
    kwargs:
      regex: "^[a-zA-Z0-9+_.-]+@[a-zA-Z0-9.-]+$"
      mostly: 0.99
  - expectation_type: "expect_column_max_to_be_between"
    column: "created_at"
    kwargs:
      min_value: "{{{{ now - 1 hour }}}}"
      max_value: "{{{{ now }}}}"
alert_config:
  severity: "high"
  channels: ["slack:data-team", "email:data-team@company.com"]
  sla_threshold: 2      # alert after 2 consecutive failures
  dedupe_window: "1 hour"
tags:
  team: "data-platform"
  criticality: "high"
  sla: "99.9%"
"""


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with open_backend(request.param, tmp_path) as opened:
        yield opened


def users(backend: Backend, *, newest_age: timedelta, duplicate: bool, bad_emails: int) -> str:
    """A users table of 100 rows; returns its dataset name (schema.table)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = [
        {"user_id": i, "email": f"user{i}@example.com", "created_at": now - timedelta(days=1)}
        for i in range(100)
    ]
    rows[-1]["created_at"] = now - newest_age
    if duplicate:
        rows[1]["user_id"] = 0
    for i in range(bad_emails):
        rows[10 + i]["email"] = f"broken-{i}"
    backend.create_table("users", {
        "user_id": sa.Integer(), "email": sa.Text(), "created_at": sa.DateTime(),
    }, rows)
    return backend.qualified("users") if backend.schema else "main.users"


def write_rule(tmp_path: Path, dataset: str) -> Path:
    path = tmp_path / "rules" / "users.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(RULE.format(dataset=dataset), encoding="utf-8")
    return path


def run_cli(backend: Backend, rule: Path, history: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(["check", "--warehouse", backend.url, "--rules", str(rule), "--once",
                 "--format", "json", "--history", history])
    return code, json.loads(capsys.readouterr().out)


def test_issue_rule_file_runs_unchanged_and_prints_the_issue_shape(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = users(backend, newest_age=timedelta(minutes=90), duplicate=True, bad_emails=3)
    rule = write_rule(tmp_path, dataset)
    history = f"sqlite:///{tmp_path / 'history.db'}"
    code, report = run_cli(backend, rule, history, capsys)
    assert code == 1
    assert report["validation_run_id"].startswith("vr_")
    assert report["status"] == "completed"
    assert report["overall_result"] == "failure"
    assert report["rule_id"] == "user_table_freshness_check"
    assert report["dataset"] == dataset
    assert isinstance(report["execution_time_ms"], int)
    assert report["alert_triggered"] is False  # sla_threshold 2: one failure is not enough
    assert report["rule_version"] == 1
    by_type = {(r["expectation"], r.get("column")): r for r in report["results"]}
    rows = by_type[("expect_table_row_count_to_be_between", None)]
    assert rows["success"] is True and rows["observed_value"] == 100
    assert rows["expected_range"] == [10, 1000000000]
    not_null = by_type[("expect_column_values_to_not_be_null", "user_id")]
    assert not_null["success"] is True and not_null["unexpected_count"] == 0
    assert not_null["element_count"] == 100
    unique = by_type[("expect_column_values_to_be_unique", "user_id")]
    # both rows holding user_id 0 are unexpected, as in Great Expectations: 2% > 0.1% allowed
    assert unique["success"] is False and unique["unexpected_count"] == 2
    assert unique["unexpected_percent"] == pytest.approx(2.0)
    assert unique["partial_unexpected_list"] == [0, 0]
    regex = by_type[("expect_column_values_to_match_regex", "email")]
    assert regex["success"] is False and regex["unexpected_count"] == 3
    assert sorted(regex["partial_unexpected_list"]) == ["broken-0", "broken-1", "broken-2"]
    newest = by_type[("expect_column_max_to_be_between", "created_at")]
    assert newest["success"] is False
    assert newest["error"] == "Data is stale by 30 minutes"
    low, high = (datetime.fromisoformat(v.replace("Z", "+00:00")) for v in newest["expected_range"])
    assert timedelta(minutes=59) < high - low <= timedelta(hours=1)

    code, second = run_cli(backend, rule, history, capsys)
    assert second["alert_triggered"] is True  # the second consecutive failure
    assert second["rule_version"] == 1
    assert second["alert_channels"] == ["slack:data-team", "email:data-team@company.com"]
    rule.write_text(rule.read_text().replace("mostly: 0.99\n", "mostly: 0.95\n"))
    _, third = run_cli(backend, rule, history, capsys)
    assert third["rule_version"] == 2  # a changed rule is a new version


async def test_map_expectations_fuse_into_one_query_and_fetch_values_only_when_failing(
    backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    dataset = users(backend, newest_age=timedelta(minutes=5), duplicate=False, bad_emails=2)
    [rule] = load_rules(write_rule(tmp_path, dataset))
    warehouse = Warehouse("w", WarehouseConfig(url=backend.url))
    counter = count_queries(warehouse.engine)
    try:
        rule_run = await run_rule(rule, warehouse)
    finally:
        warehouse.close()
    statuses = {r.check_type: r.status.value for r in rule_run.results}
    assert statuses == {
        "expect_table_row_count_to_be_between": "pass",
        "expect_column_values_to_not_be_null": "pass",
        "expect_column_values_to_be_unique": "pass",
        "expect_column_values_to_match_regex": "fail",
        "expect_column_max_to_be_between": "pass",
    }
    # one fused SELECT for all five, then one SELECT of the regex's failing rows that gives both
    # its failing-row sample and its unexpected values; where statements run concurrently, the
    # uniqueness GROUP BY is a statement of its own, run alongside the fused scan
    grouped = 1 if backend.name in ("postgresql", "mariadb") else 0
    assert counter.count == 2 + grouped, counter.statements
    assert rule_run.queries == 2 + grouped
    [regex] = [r for r in rule_run.results if r.check_type == "expect_column_values_to_match_regex"]
    unexpected = regex.outcome.details["partial_unexpected_list"]
    samples = regex.outcome.details["failing_rows"]
    assert len(unexpected) == 2 and len(samples) == 2
    assert sorted(unexpected) == sorted(row["email"] for row in samples)
    assert all(set(row) >= {"user_id", "email", "created_at"} for row in samples)


def test_aliases_and_column_inside_kwargs(tmp_path: Path, duckdb_backend: Backend) -> None:
    duckdb_backend.create_table("t", {"a": sa.Integer(), "s": sa.Text()},
                                [{"a": i, "s": "x" if i else None} for i in range(5)])
    path = tmp_path / "r.yaml"
    path.write_text(
        "rule_id: r\ndataset: t\nexpectations:\n"
        "  - expectation_type: not_null\n    kwargs: {column: s, mostly: 0.8}\n"
        "  - expectation_type: between\n    column: a\n    kwargs: {min: 0, max: 3}\n"
        "  - expectation_type: in_set\n    column: s\n    kwargs: {values: [x]}\n",
        encoding="utf-8",
    )
    [rule] = load_rules(path)
    import asyncio

    warehouse = Warehouse("w", WarehouseConfig(url=duckdb_backend.url))
    try:
        rule_run = asyncio.run(run_rule(rule, warehouse))
    finally:
        warehouse.close()
    results = {r.check_type: r for r in rule_run.results}
    assert results["expect_column_values_to_not_be_null"].outcome.success is True
    between = results["expect_column_values_to_be_between"]
    assert between.outcome.success is False and between.outcome.unexpected_count == 1
    assert between.outcome.details["partial_unexpected_list"] == [4]
    assert results["expect_column_values_to_be_in_set"].outcome.success is True


def test_bad_rules_name_the_expectation_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "rule_id: r\ndataset: t\nexpectations:\n"
        "  - expectation_type: expect_column_values_to_be_between\n    column: a\n"
        "    kwargs: {min_value: 5, max_value: 1}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"expectations\[0\].*cannot be greater than max_value"):
        load_rules(path)
    path.write_text("rule_id: r\ndataset: t\nexpectations:\n"
                    "  - expectation_type: expect_nonsense\n    column: a\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"unknown expectation_type 'expect_nonsense'"):
        load_rules(path)
    path.write_text("rule_id: r\ndataset: t\nexpectations:\n"
                    "  - expectation_type: not_null\n    column: a\n"
                    "    kwargs: {min_value: '{{ now - 3 fortnights }}'}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="unknown time unit"):
        load_rules(path)
    path.write_text("rule_id: r\ndataset: '\"Sales EU.orders'\nexpectations:\n"
                    "  - expectation_type: not_null\n    column: a\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad.yaml:2: dataset: .*opens a quote it never closes"):
        load_rules(path)


async def test_one_select_gives_samples_of_chosen_columns_and_masked_unexpected_values(
    backend: Backend, tmp_path: Path, count_queries: Any
) -> None:
    dataset = users(backend, newest_age=timedelta(minutes=5), duplicate=False, bad_emails=3)
    path = write_rule(tmp_path, dataset)
    path.write_text(path.read_text(encoding="utf-8") + (
        "failing_row_samples: {limit: 1, columns: [user_id], mask: [email]}\n"
    ), encoding="utf-8")
    [rule] = load_rules(path)
    warehouse = Warehouse("w", WarehouseConfig(url=backend.url))
    counter = count_queries(warehouse.engine)
    try:
        rule_run = await run_rule(rule, warehouse)
    finally:
        warehouse.close()
    [regex] = [r for r in rule_run.results if r.check_type == "expect_column_values_to_match_regex"]
    details = regex.outcome.details
    # the SELECT read user_id (the sample's column) and email (the unexpected values' column):
    # the sample shows only user_id, limited to 1 row; the three unexpected values are masked
    assert details["failing_rows"] == [{"user_id": details["failing_rows"][0]["user_id"]}]
    assert details["failing_rows"][0]["user_id"] in (10, 11, 12)
    assert details["partial_unexpected_list"] == ["***"] * 3
    assert "broken-" not in json.dumps(regex.to_json())
    grouped = 1 if backend.name in ("postgresql", "mariadb") else 0  # uniqueness's GROUP BY
    assert counter.count == 2 + grouped, counter.statements


def test_quoted_dataset_and_other_table_names(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names written as in SQL: a table with a space and capitals, another with a dot in its
    name, in a schema given by a quoted part."""
    rows = [{"id": i, "v": i % 3} for i in range(10)]
    columns = {"id": sa.Integer(), "v": sa.Integer()}
    backend.create_table("My Orders", columns, rows)
    backend.create_table("orders.v2", columns, rows)
    prefix = f'"{backend.schema}".' if backend.schema else ""
    rule = tmp_path / "quoted.yaml"
    rule.write_text(json.dumps({
        "rule_id": "quoted", "dataset": f'{prefix}"My Orders"',
        "expectations": [
            {"expectation_type": "expect_table_row_count_to_equal", "kwargs": {"value": 10}},
            {"expectation_type": "expect_column_values_to_be_unique", "column": "id"},
            {"expectation_type": "expect_column_values_to_be_unique", "column": "v"},
            {"expectation_type": "expect_table_row_count_to_equal_other_table",
             "kwargs": {"other_table_name": f'{prefix}"orders.v2"'}},
        ]}), encoding="utf-8")
    code, document = run_cli(backend, rule, f"sqlite:///{tmp_path / 'history.db'}", capsys)
    assert code == 1  # v repeats its values
    outcomes = [(r["expectation"], r["success"]) for r in document["results"]]
    assert outcomes == [
        ("expect_table_row_count_to_equal", True),
        ("expect_column_values_to_be_unique", True),
        ("expect_column_values_to_be_unique", False),
        ("expect_table_row_count_to_equal_other_table", True),
    ]
    assert document["results"][2]["unexpected_count"] == 10
    assert document["results"][2]["error"].startswith("10 of 10 values")  # a verdict, not a SQL error
