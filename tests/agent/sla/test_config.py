"""freshness_sla: shorthand, defaults from the freshness check, windows and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.config.models import Config, DatasetConfig
from agent.sla.config import sla_seconds, sla_windows, window_label

FRESHNESS = {"type": "freshness", "column": "updated_at", "max_age": "2h"}


def dataset(**extra: Any) -> DatasetConfig:
    return DatasetConfig.model_validate({"table": "orders", **extra})


def test_sla_defaults_to_the_freshness_checks_max_age() -> None:
    orders = dataset(checks=[FRESHNESS])
    assert sla_seconds(orders) == 7200
    assert [window_label(w) for w in sla_windows(orders)] == ["1d", "7d", "30d"]


def test_no_freshness_check_no_sla() -> None:
    assert sla_seconds(dataset(checks=[{"type": "row_count", "min": 1}])) is None


def test_shorthand_and_full_form() -> None:
    assert sla_seconds(dataset(checks=[FRESHNESS], freshness_sla="30m")) == 1800
    full = dataset(checks=[FRESHNESS], freshness_sla={"max_delay": "4h", "windows": ["7d", "1h"]})
    assert sla_seconds(full) == 14400
    assert [window_label(w) for w in sla_windows(full)] == ["1h", "7d"]
    windows_only = dataset(checks=[FRESHNESS], freshness_sla={"windows": ["90m"]})
    assert sla_seconds(windows_only) == 7200
    assert [window_label(w) for w in sla_windows(windows_only)] == ["90m"]


def test_window_labels() -> None:
    assert [window_label(s) for s in (86400, 7 * 86400, 3600, 5400, 45, 1.5)] == [
        "1d", "7d", "1h", "90m", "45s", "1.5s"]


@pytest.mark.parametrize(("sla", "message"), [
    ({"max_delay": "0s"}, "max_delay must be positive"),
    ({"windows": []}, "at least one window"),
    ({"windows": ["1d", "24h"]}, "windows repeat"),
    ({"max_delay": "2 hours"}, "not a duration"),
    ({"max_delay": "2h", "column": "updated_at"}, "Extra inputs"),
])
def test_bad_sla_settings(sla: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataset(checks=[FRESHNESS], freshness_sla=sla)


def test_sla_without_a_freshness_check_names_the_dataset_and_the_fix(tmp_path: Any) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(
        "warehouses:\n  w: {url: 'duckdb:///x.db'}\n"
        "datasets:\n  orders:\n    table: orders\n    freshness_sla: 2h\n"
        "    checks: [{type: row_count, min: 1}]\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = str(error.value)
    assert "orders" in text and "freshness_sla needs a freshness check" in text
    assert "{type: freshness, column: updated_at, max_age: 2h}" in text


def test_config_round_trip() -> None:
    config = Config.model_validate({
        "warehouses": {"w": {"url": "duckdb:///x.db"}},
        "datasets": {"orders": {"table": "orders", "checks": [FRESHNESS],
                                "freshness_sla": {"max_delay": "1h"}}},
    })
    assert sla_seconds(config.datasets["orders"]) == 3600
