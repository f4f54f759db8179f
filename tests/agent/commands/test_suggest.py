"""``dq-agent suggest``: the printed YAML is config, and its checks pass on the data profiled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.agent.profiling.tables import create_orders
from tests.support.backends import Backend


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
def test_suggested_checks_load_and_pass(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend: Backend = request.getfixturevalue(
        "postgres_backend" if backend_name == "postgresql" else "duckdb_backend")
    create_orders(backend, 2000)
    warehouses = {"w": {"url": backend.url}}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "agent": {"state_dir": str(tmp_path / "state")}, "warehouses": warehouses,
        "datasets": {"orders": {"table": backend.qualified("orders")}},
    }))
    result = run_cli("suggest", "--config", str(config), "orders")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    suggested = yaml.safe_load(text)
    checks = suggested["datasets"]["orders"]["checks"]
    kinds = {(c["type"], c.get("column")) for c in checks}
    assert {("not_null", "id"), ("unique", "id"), ("accepted_values", "status"),
            ("regex", "email"), ("row_count", None), ("range", "amount")} <= kinds
    assert ("not_null", "amount") not in kinds and ("not_null", "empty") not in kinds
    assert text.count("# confidence") == len(checks)

    # The printed YAML is config as it stands: add the warehouses and run the checks.
    merged = tmp_path / "suggested.yaml"
    merged.write_text(yaml.safe_dump({"warehouses": warehouses}) + text)
    checked = run_cli("check", "--config", str(merged), "--format", "json", "--no-history")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    results = json.loads(checked.stdout)
    assert len(results) == len(checks) and all(r["status"] == "pass" for r in results)

    # The profile was stored: a second run reuses it instead of reading the table again.
    again = run_cli("suggest", "--config", str(config), "orders", "--min-confidence", "0.95")
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == text.splitlines()[0]
    assert again.stdout.count("# confidence") < len(checks)


def test_unknown_dataset(duckdb_backend: Backend, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n")
    result = run_cli("suggest", "--config", str(config), "nope")
    assert result.returncode == 2 and "unknown dataset 'nope'" in result.stderr
