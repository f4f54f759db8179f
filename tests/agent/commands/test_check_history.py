"""`dq-agent check --config` keeps its runs in the config's history store (like the daemon), so
successive checks compare with each other: volume_change, schema_drift, rule runs by rule_id.
--no-history records nothing; --history URL records elsewhere; a store that cannot be opened is
a clear error that never shows a password."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.store import schema
from agent.store.history import HistoryStore
from tests.support.backends import Backend

SECRET = "st0re-Secret-pw"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True,
                          text=True, timeout=120)


def check(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", "--config", str(path), "--once", "--format", "json", *extra)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, {item["check"]: item for item in json.loads(result.stdout)}


def fill(backend: Backend, rows: int) -> None:
    backend.create_table("events", {"id": sa.Integer(), "kind": sa.String(10)},
                         [{"id": i, "kind": "a"} for i in range(rows)])


def write_config(tmp_path: Path, backend: Backend, checks: str, extra: str = "") -> Path:
    path = tmp_path / "dq.yaml"
    path.write_text(
        f"agent: {{state_dir: '{tmp_path / 'state'}'}}\n"
        f"warehouses: {{w: {{url: '{backend.url}'}}}}\n"
        f"datasets:\n  events:\n    table: events\n    checks:\n{checks}{extra}",
        encoding="utf-8",
    )
    return path


def stored_runs(url: str, dataset: str = "events") -> list[tuple[str, int | None, str | None]]:
    """(dataset, row_count, rule_id) of the stored runs of ``dataset``, oldest first."""
    store = HistoryStore(url)
    try:
        runs = schema.validation_runs
        with store.engine.connect() as connection:
            rows = connection.execute(
                sa.select(runs.c.dataset, runs.c.row_count, runs.c.rule_id)
                .where(runs.c.dataset == dataset).order_by(runs.c.started_at))
            return [(row[0], row[1], row[2]) for row in rows]
    finally:
        store.close()


def test_successive_checks_compare_volume_with_the_previous_check(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    fill(duckdb_backend, 100)
    path = write_config(tmp_path, duckdb_backend,
                        "      - {type: volume_change, name: volume, max_change_percent: 30}\n")
    store_url = f"sqlite:///{tmp_path / 'state' / 'history.db'}"

    code, first = check(path)
    assert code == 0 and first["volume"]["observed_value"] is None
    assert "100 rows are the baseline" in first["volume"]["error"]

    fill(duckdb_backend, 150)
    code, second = check(path)
    assert code == 1  # +50% since the first check's 100 rows
    assert second["volume"]["observed_value"] == 50.0
    assert second["volume"]["previous"]["row_count"] == 100

    fill(duckdb_backend, 160)
    code, unrecorded = check(path, "--no-history")  # reads the history, records nothing
    assert code == 0 and unrecorded["volume"]["observed_value"] == pytest.approx(10 / 150 * 100)
    code, third = check(path)
    assert third["volume"]["previous"]["row_count"] == 150  # not the --no-history run's 160
    assert stored_runs(store_url) == [("events", 100, None), ("events", 150, None),
                                      ("events", 160, None)]


def test_history_url_records_elsewhere(duckdb_backend: Backend, tmp_path: Path) -> None:
    fill(duckdb_backend, 10)
    path = write_config(tmp_path, duckdb_backend, "      - {type: row_count, min: 1}\n")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    code, _ = check(path, "--history", other)
    assert code == 0
    assert stored_runs(other) == [("events", 10, None)]
    assert not (tmp_path / "state" / "history.db").exists()
    code, _ = check(path, "--no-history")  # nothing compares with history: the store is not opened
    assert code == 0 and not (tmp_path / "state" / "history.db").exists()


def test_schema_drift_is_judged_against_the_previous_check(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    fill(duckdb_backend, 5)
    path = write_config(tmp_path, duckdb_backend, "      - {type: schema_drift, name: schema}\n")
    code, first = check(path)
    assert code == 0 and first["schema"]["success"] is True
    duckdb_backend.create_table("events", {"id": sa.Integer()}, [{"id": 1}])  # kind removed
    code, second = check(path)
    assert code == 1 and second["schema"]["success"] is False
    assert "kind" in json.dumps(second["schema"])


def test_rule_runs_are_recorded_under_their_rule_id(duckdb_backend: Backend, tmp_path: Path) -> None:
    fill(duckdb_backend, 3)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "events.yaml").write_text(
        "rule_id: events_rule\ndataset: events\nexpectations:\n"
        "  - {expectation_type: row_count, kwargs: {min: 1}}\n", encoding="utf-8")
    path = write_config(tmp_path, duckdb_backend, "      - {type: row_count}\n",
                        extra="rules: [rules]\n")
    code, _ = check(path)
    assert code == 0
    store_url = f"sqlite:///{tmp_path / 'state' / 'history.db'}"
    assert stored_runs(store_url, "events_rule") == [("events_rule", 3, "events_rule")]
    assert stored_runs(store_url) == [("events", 3, None)]


def test_a_store_that_cannot_be_opened_is_named_without_its_password(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    fill(duckdb_backend, 3)
    path = write_config(tmp_path, duckdb_backend, "      - {type: row_count}\n")
    down = f"postgresql://dq:{SECRET}@127.0.0.1:1/history"
    result = run_cli("check", "--config", str(path), "--format", "json", "--history", down)
    assert result.returncode == 2 and result.stdout == ""
    assert "cannot open the history store postgresql://dq:***@127.0.0.1:1/history" in result.stderr
    assert "--no-history to run without recording" in result.stderr
    assert SECRET not in result.stderr
    result = run_cli("check", "--config", str(path), "--format", "json", "--history", down,
                     "--no-history")
    assert result.returncode == 0, result.stderr
