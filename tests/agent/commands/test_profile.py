"""``dq-agent profile`` end to end on DuckDB and the real PostgreSQL: output, storage, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.profiling.store import ProfileStore
from tests.agent.profiling.tables import create_orders
from tests.support.backends import Backend


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True,
                          text=True, timeout=300)


def write_config(tmp_path: Path, backend: Backend, profile: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{backend.url}'}}}}\n"
        f"datasets:\n  orders:\n    table: {backend.qualified('orders')}\n{profile}"
    )
    return path


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
def test_json_profile_is_stored(backend_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    backend: Backend = request.getfixturevalue(f"{'postgres' if backend_name == 'postgresql' else 'duckdb'}_backend")
    create_orders(backend, 1200)
    config = write_config(tmp_path, backend)
    result = run_cli("profile", "--config", str(config), "orders", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["dataset"] == "orders" and document["row_count"] == 1200
    assert document["column_count"] == 7 and document["profile_id"].startswith("pr_")
    assert {c["name"] for c in document["columns"]} >= {"id", "amount", "status"}
    assert {i["type"] for i in document["issues"]} >= {"all_null", "constant"}
    assert 0.0 < document["quality_score"] < 1.0
    store = ProfileStore.open(f"sqlite:///{tmp_path / 'state' / 'history.db'}")
    stored = store.latest("orders")
    store.close()
    assert stored is not None and stored.profile.profile_id == document["profile_id"]
    assert stored.sketches["amount"].count == 1200


def test_table_output_sampling_and_no_store(duckdb_backend: Backend, tmp_path: Path) -> None:
    create_orders(duckdb_backend, 20_000)
    config = write_config(tmp_path, duckdb_backend, "    profile: {sample: '10%'}\n")
    result = run_cli("profile", "--config", str(config), "orders", "--no-store")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("dataset orders") and "(estimated)" in lines[1]
    assert "10% (bernoulli)" in lines[1]
    assert any(line.startswith("status ") and "~4" in line for line in lines)
    assert not (tmp_path / "state" / "history.db").exists()

    full = run_cli("profile", "--config", str(config), "orders", "--full", "--format", "json",
                   "--no-store")
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout)["row_count"] == 20_000


def test_errors_name_the_problem(duckdb_backend: Backend, tmp_path: Path) -> None:
    create_orders(duckdb_backend, 10)
    config = write_config(tmp_path, duckdb_backend, "    profile: {columns: [nope]}\n")
    unknown = run_cli("profile", "--config", str(config), "missing")
    assert unknown.returncode == 2 and "unknown dataset 'missing'" in unknown.stderr
    bad_column = run_cli("profile", "--config", str(config), "orders")
    assert bad_column.returncode == 2 and "nope" in bad_column.stderr
    assert "Traceback" not in bad_column.stderr
    bad_sample = run_cli("profile", "--config", str(config), "orders", "--sample", "lots")
    assert bad_sample.returncode == 2 and "percentage" in bad_sample.stderr
