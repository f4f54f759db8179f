"""The same alerting settings in the main config: `alert_after` on a check and `alerting` on a
dataset, with bad values named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.errors import ConfigError
from agent.config.loader import load_config


def write(tmp_path: Path, dataset: str) -> Path:
    path = tmp_path / "dq.yaml"
    path.write_text("warehouses:\n  w: {url: 'duckdb:///x.db'}\ndatasets:\n  orders:\n"
                    "    table: orders\n" + dataset)
    return path




def test_settings_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, (
        "    alerting: {channels: ['slack:sales', 'pagerduty:payments'], dedupe_window: 30m}\n"
        "    checks:\n"
        "      - {type: row_count, min: 1, alert_after: 3}\n"
        "      - {type: not_null, column: id}\n"
    )))
    dataset = config.datasets["orders"]
    assert [spec.alert_after for spec in dataset.check_specs()] == [3, 1]
    assert dataset.alerting.channels == ["slack:sales", "pagerduty:payments"]
    assert dataset.alerting.dedupe_window == 1800.0


def test_dedupe_window_reads_rule_file_spans_too(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "    alerting: {dedupe_window: '2 hours'}\n"))
    assert config.datasets["orders"].alerting.dedupe_window == 7200.0


@pytest.mark.parametrize(("dataset", "line", "key", "expected"), [
    ("    checks:\n      - {type: row_count, min: 1, alert_after: 0}\n", 7,
     "datasets.orders.checks[0].alert_after", "greater than or equal to 1"),
    ("    alerting:\n      channels: ['email:nobody']\n", 7,
     "datasets.orders.alerting.channels", "is not an email address; write e.g."),
    ("    alerting:\n      dedupe_window: 0\n", 7,
     "datasets.orders.alerting.dedupe_window", "greater than 0"),
    ("    alerting:\n      channel: ['slack:sales']\n", 7,
     "datasets.orders.alerting.channel", "unknown key"),
])
def test_bad_settings_name_file_line_and_key(
    tmp_path: Path, dataset: str, line: int, key: str, expected: str
) -> None:
    path = write(tmp_path, dataset)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{path}:{line}: {key}" in message, message
    assert expected in message
