"""Loading configs: valid files, ${ENV}, *_file secrets, and a clear error for each bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.errors import ConfigError
from agent.config.loader import config_json_schema, load_config

GOOD = """\
agent:
  listen: "127.0.0.1:9999"
warehouses:
  main:
    url: "duckdb:///${WAREHOUSE_PATH}"
    password_file: secret.txt
datasets:
  orders:
    table: sales.orders
    schedule: "*/5 * * * *"
    owner: team@example.com
    checks:
      - type: row_count
        min: 10
      - type: not_null
        column: id
        mostly: 0.9
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_valid_config_with_env_and_secret_file(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("s3cret\n")
    config = load_config(write(tmp_path, GOOD), environ={"WAREHOUSE_PATH": "/data/w.duckdb"})
    warehouse = config.warehouses["main"]
    assert warehouse.url == "duckdb:////data/w.duckdb"
    assert warehouse.resolved_password() == "s3cret"
    assert "s3cret" not in repr(config)
    dataset = config.datasets["orders"]
    assert dataset.schema_and_table() == ("sales", "orders")
    assert dataset.schedule.cron == "*/5 * * * *"
    assert dataset.schedule.nominal_interval == 300
    assert config.agent.port == 9999
    assert config.warehouse_of("orders") == "main"


def test_interval_schedule_and_defaults(tmp_path: Path) -> None:
    text = "warehouses: {w: {url: 'sqlite:///x.db'}}\ndatasets: {d: {table: t, schedule: 90s}}\n"
    config = load_config(write(tmp_path, text), environ={})
    assert config.datasets["d"].schedule.interval == 90
    assert config.agent.listen == "0.0.0.0:9187"
    assert config.agent.store_url().endswith("history.db")


def error_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={"WAREHOUSE_PATH": "x"} if environ is None else environ)
    return str(caught.value)


def test_unknown_key_names_file_line_and_path(tmp_path: Path) -> None:
    text = GOOD.replace("        mostly: 0.9", "        mostly: 0.9\n        mostyl: 1")
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, text)
    assert "config.yaml:18" in message
    assert "datasets.orders.checks[1].mostyl" in message
    assert "unknown key" in message


def test_wrong_type(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, GOOD.replace("min: 10", "min: lots"))
    assert "config.yaml:14" in message
    assert "datasets.orders.checks[0].min" in message
    assert "integer" in message


def test_unknown_check_type_lists_known_ones(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, GOOD.replace("type: row_count", "type: row_cnt"))
    assert "datasets.orders.checks[0]" in message
    assert "row_cnt" in message
    for known in ("not_null", "row_count", "unique", "freshness", "custom_sql"):
        assert known in message


def test_invalid_cron(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, GOOD.replace("*/5 * * * *", "61 * * * *"))
    assert "config.yaml:10" in message
    assert "datasets.orders.schedule" in message
    assert "cron" in message


def test_quoted_table_name_is_split_and_a_broken_one_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    quoted = GOOD.replace("    table: sales.orders", "    table: '\"Sales EU\".\"Orders\"'")
    config = load_config(write(tmp_path, quoted), environ={"WAREHOUSE_PATH": "x"})
    assert config.datasets["orders"].schema_and_table() == ("Sales EU", "Orders")
    message = error_of(tmp_path, GOOD.replace("    table: sales.orders",
                                              "    table: '\"Sales EU.orders'"))
    assert "config.yaml:" in message and "datasets.orders" in message
    assert "opens a quote it never closes" in message and "`schema:`" in message
    # with `schema:` the table's name is taken literally
    literal = GOOD.replace("    table: sales.orders", "    table: a.b\n    schema: s")
    config = load_config(write(tmp_path, literal), environ={"WAREHOUSE_PATH": "x"})
    assert config.datasets["orders"].schema_and_table() == ("s", "a.b")


def test_unknown_warehouse(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    text = GOOD.replace("    table: sales.orders", "    table: sales.orders\n    warehouse: nope")
    message = error_of(tmp_path, text)
    assert "datasets.orders.warehouse" in message
    assert "'nope'" in message and "main" in message
    assert "config.yaml:10" in message


def test_missing_environment_variable(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, GOOD, environ={})
    assert "WAREHOUSE_PATH" in message and "config.yaml:5" in message


def test_missing_secret_file(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD)
    assert "password_file" in message and "secret.txt" in message


def test_duplicate_check_names(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    message = error_of(tmp_path, GOOD.replace("column: id", "column: id\n        name: row_count"))
    assert "both named 'row_count'" in message


def test_invalid_yaml(tmp_path: Path) -> None:
    message = error_of(tmp_path, "warehouses: [unclosed\n")
    assert "invalid YAML" in message


def test_json_schema_describes_checks() -> None:
    import json

    schema = json.loads(config_json_schema())
    assert schema["title"] == "dq-agent configuration"
    text = json.dumps(schema)
    assert "row_count" in text and "custom_sql" in text and "additionalProperties" in text
