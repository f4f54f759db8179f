"""Rule files in the main config whose expectations read another warehouse: a configured one
works, an unknown one is a config error naming the config line, the rule file's line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.errors import ConfigError
from agent.config.loader import load_config

RULE = """\
rule_id: orders_vs_billing
dataset: orders
warehouse: lake
expectations:
  - expectation_type: row_count
  - expectation_type: reconciliation
    kwargs:
      other: {table: invoices, warehouse: {other}}
"""


def write(tmp_path: Path, other: str) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "orders.yaml").write_text(
        RULE.replace("{other}", other), encoding="utf-8")
    path = tmp_path / "dq.yaml"
    path.write_text(
        "warehouses:\n"
        "  lake: {url: 'duckdb:///lake.db'}\n"
        "  billing: {url: 'duckdb:///billing.db'}\n"
        "rules:\n"
        "  - rules\n",
        encoding="utf-8",
    )
    return path


def test_a_configured_other_warehouse_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "billing"))
    [_, reconciliation] = config.datasets["orders_vs_billing"].check_specs()
    assert reconciliation.warehouse_references() == {("other", "warehouse"): "billing"}


def test_an_unknown_other_warehouse_names_both_files(tmp_path: Path) -> None:
    path = write(tmp_path, "ledger")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == (
        f"{path}:5: rules[0]: {tmp_path / 'rules' / 'orders.yaml'}:8: "
        "expectations[1].kwargs.other.warehouse: rule 'orders_vs_billing' names warehouse "
        "'ledger', which is not configured; configured warehouses: billing, lake"
    )
