"""Rule files referenced from the main config (`rules:`): loaded relative to the config, merged
into its datasets under their rule_id, run by `dq-agent check --config`, bad ones named by line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from agent.cli import main
from agent.config.errors import ConfigError
from agent.config.loader import load_config
from tests.agent.rules.test_rule_run import RULE, users
from tests.support.backends import Backend


def write_config(tmp_path: Path, backend: Backend, extra: str = "") -> Path:
    path = tmp_path / "dq.yaml"
    path.write_text(
        f"agent: {{state_dir: {tmp_path / 'state'}}}\n"
        f"warehouses:\n  w: {{url: '{backend.url}'}}\n"
        "datasets:\n  items: {table: items, checks: [{type: row_count, min: 1}]}\n"
        "rules:\n  - rules\n" + extra,
        encoding="utf-8",
    )
    return path


def write_rules(tmp_path: Path, dataset: str, *extra: str) -> None:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "users.yaml").write_text(RULE.format(dataset=dataset), encoding="utf-8")
    for index, text in enumerate(extra):
        (folder / f"extra_{index}.yaml").write_text(text, encoding="utf-8")


def test_rules_become_datasets_named_by_rule_id_with_their_own_schedule(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    write_rules(tmp_path, "main.users")
    config = load_config(write_config(tmp_path, duckdb_backend))
    assert set(config.datasets) == {"items", "user_table_freshness_check"}
    dataset = config.datasets["user_table_freshness_check"]
    assert dataset.table == "main.users"
    assert dataset.schedule.cron == "0 * * * *"
    assert dataset.team == "data-platform" and dataset.criticality == "high"
    assert [spec.type for spec in dataset.check_specs()] == [
        "expect_table_row_count_to_be_between", "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique", "expect_column_values_to_match_regex",
        "expect_column_max_to_be_between",
    ]
    assert {spec.severity.value for spec in dataset.check_specs()} == {"critical"}  # severity: high
    rule = config.rule_of("user_table_freshness_check")
    assert rule is not None and rule.alert_config.sla_threshold == 2
    assert config.rule_of("items") is None


def test_check_once_runs_the_configured_rules(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users(duckdb_backend, newest_age=timedelta(minutes=5), duplicate=True, bad_emails=0)
    duckdb_backend.execute("CREATE TABLE items AS SELECT 1 AS id")
    write_rules(tmp_path, "main.users")
    path = write_config(tmp_path, duckdb_backend)
    code = main(["check", "--config", str(path), "--once", "--format", "json"])
    results = json.loads(capsys.readouterr().out)
    assert code == 1
    status = {(r["dataset"], r["check"]): r["status"] for r in results}
    assert status[("items", "row_count")] == "pass"
    rule = "user_table_freshness_check"
    assert status[(rule, "expect_column_values_to_be_unique_user_id")] == "fail"
    assert status[(rule, "expect_column_values_to_not_be_null_user_id")] == "pass"
    assert status[(rule, "expect_column_max_to_be_between_created_at")] == "pass"
    assert len([key for key in status if key[0] == rule]) == 5


def test_bad_rule_file_names_the_config_line_the_rule_file_line_and_the_fix(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    bad = ("rule_id: broken\ndataset: t\nexpectations:\n"
           "  - expectation_type: not_null\n    column: a\n"
           "  - expectation_type: expect_column_values_to_be_unique\n    column: a\n"
           "    kwargs:\n      mostly: 2\n")
    write_rules(tmp_path, "main.users", bad)
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(tmp_path, duckdb_backend))
    message = str(raised.value)
    assert f"{tmp_path / 'dq.yaml'}:7: rules[0]:" in message
    assert f"{tmp_path / 'rules' / 'extra_0.yaml'}:9: expectations[1].kwargs.mostly" in message
    assert "less than or equal to 1" in message

    (tmp_path / "rules" / "extra_0.yaml").write_text(
        bad.replace("expect_column_values_to_be_unique", "expect_colum_values_to_be_uniq"))
    with pytest.raises(ConfigError, match=r"extra_0.yaml:6: expectations\[1\].expectation_type: "
                       r".*unknown expectation_type .*--list-expectations"):
        load_config(write_config(tmp_path, duckdb_backend))


def test_missing_rule_path_and_name_clash_are_config_errors(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"dq.yaml:7: rules\[0\]: .*rules: no such rule file"):
        load_config(write_config(tmp_path, duckdb_backend))
    clash = "rule_id: items\ndataset: t\nexpectations:\n  - {expectation_type: not_null, column: a}\n"
    write_rules(tmp_path, "main.users", clash)
    with pytest.raises(ConfigError, match=r"dataset 'items' from rule file .* is already defined "
                       r"by the config's datasets; rename one"):
        load_config(write_config(tmp_path, duckdb_backend))


def test_rule_naming_an_unknown_warehouse_is_rejected(duckdb_backend: Backend, tmp_path: Path) -> None:
    other = ("rule_id: elsewhere\ndataset: t\nwarehouse: nowhere\nexpectations:\n"
             "  - {expectation_type: not_null, column: a}\n")
    write_rules(tmp_path, "main.users", other)
    with pytest.raises(ConfigError, match=r"dataset 'elsewhere' .*unknown warehouse 'nowhere'; "
                       r"configured warehouses: w"):
        load_config(write_config(tmp_path, duckdb_backend))
