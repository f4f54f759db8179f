"""``dq-agent check`` end to end: JSON and table output, and exit codes that gate pipelines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.support.backends import Backend


def write_config(tmp_path: Path, backend: Backend, checks: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{backend.url}'}}}}\n"
        f"datasets:\n  items:\n    table: items\n    checks:\n{checks}"
    )
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True,
                          text=True, timeout=120)


def seed(backend: Backend) -> None:
    backend.create_table("items", {"id": sa.Integer(), "name": sa.String(10)},
                         [{"id": 1, "name": "a"}, {"id": 2, "name": None}])


def test_exit_codes_and_json(duckdb_backend: Backend, tmp_path: Path) -> None:
    seed(duckdb_backend)
    passing = write_config(tmp_path, duckdb_backend, "      - {type: row_count, min: 2}\n")
    result = run_cli("check", "--config", str(passing), "--once", "--format", "json")
    assert result.returncode == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["check"] == "row_count" and item["success"] is True
    assert item["observed_value"] == 2 and item["expected_range"] == [2, None]
    assert set(item) >= {"check", "dataset", "expectation", "column", "success",
                         "observed_value", "element_count", "unexpected_count",
                         "unexpected_percent", "error", "execution_time_ms"}

    failing = write_config(tmp_path, duckdb_backend, "      - {type: not_null, column: name}\n")
    result = run_cli("check", "--config", str(failing), "--once", "--format", "json")
    assert result.returncode == 1
    [item] = json.loads(result.stdout)
    assert item["success"] is False and item["unexpected_count"] == 1
    assert item["unexpected_percent"] == 50.0

    erroring = write_config(tmp_path, duckdb_backend, "      - {type: not_null, column: nope}\n")
    result = run_cli("check", "--config", str(erroring), "--once", "--format", "table")
    assert result.returncode == 2
    assert "ERROR" in result.stdout and "nope" in result.stdout


def test_unknown_dataset_and_bad_config(duckdb_backend: Backend, tmp_path: Path) -> None:
    seed(duckdb_backend)
    path = write_config(tmp_path, duckdb_backend, "      - {type: row_count}\n")
    result = run_cli("check", "--config", str(path), "--dataset", "nope", "--once")
    assert result.returncode == 2 and "unknown dataset" in result.stderr and "items" in result.stderr
    bad = write_config(tmp_path, duckdb_backend, "      - {type: row_count, minimum: 1}\n")
    result = run_cli("validate-config", str(bad))
    assert result.returncode == 1 and "minimum" in result.stderr and "config.yaml:7" in result.stderr
    result = run_cli("validate-config", "--schema")
    assert result.returncode == 0 and json.loads(result.stdout)["title"] == "dq-agent configuration"


def test_drift_check_uses_the_history_store(duckdb_backend: Backend, tmp_path: Path) -> None:
    """`dq-agent check` gives drift checks the configured store, where `dq-agent profile` put
    the reference profile."""
    duckdb_backend.create_table("items", {"id": sa.Integer(), "amount": sa.Float()},
                                [{"id": i, "amount": float(i % 50)} for i in range(500)])
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{duckdb_backend.url}'}}}}\n"
        "datasets:\n  items:\n    table: items\n"
        "    checks:\n      - {type: drift, column: amount}\n"
    )
    profiled = run_cli("profile", "--config", str(path), "items", "--format", "json",
                       "--pin", "--no-progress")
    assert profiled.returncode == 0, profiled.stderr
    result = run_cli("check", "--config", str(path), "--once", "--format", "json")
    [item] = json.loads(result.stdout)
    assert result.returncode == 0, item
    assert item["success"] is True and "no history store" not in str(item["error"])
