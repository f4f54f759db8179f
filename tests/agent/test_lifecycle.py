"""The daemon as a process: ready, single instance per store, SIGHUP reload, SIGTERM, no secrets."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from tests.support.backends import PG_URL, Backend, open_backend
from tests.support.components import free_port

SECRET = "hunter2-Sup3r-s3cret"


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


def wait_ready(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"agent exited early: {process.communicate()[1]}")
        try:
            fetch(port, "/readyz")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("agent did not become ready")


def start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "run", "--config", str(config), "--log-format", "json",
         "--log-level", "debug"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def write_config(path: Path, port: int, state: Path, backend: Backend, extra: str = "") -> None:
    url = sa.make_url(backend.url).set(password=None).render_as_string(hide_password=False)
    path.write_text(
        f"agent: {{listen: '127.0.0.1:{port}', state_dir: '{state}'}}\n"
        f"warehouses:\n  pg:\n    url: '{url}'\n    password: '${{DQ_TEST_SECRET}}'\n"
        "datasets:\n"
        f"  items: {{table: {backend.qualified('items')}, schedule: 1h, "
        "checks: [{type: row_count, min: 1}, {type: not_null, column: name}]}\n" + extra
    )


def test_daemon_lifecycle_and_secrets(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DQ_TEST_SECRET", SECRET)
    with open_backend("postgresql", tmp_path) as backend:
        assert backend.url == PG_URL
        backend.create_table("items", {"id": sa.Integer(), "name": sa.String(10)},
                             [{"id": 1, "name": None}])
        port, state, config = free_port(), tmp_path / "state", tmp_path / "config.yaml"
        write_config(config, port, state, backend)
        agent = start(config)
        try:
            wait_ready(port, agent)
            deadline = time.monotonic() + 20
            while "dq_check_success{" not in fetch(port, "/metrics"):
                assert time.monotonic() < deadline, "no results"
                time.sleep(0.2)

            # A second agent on the same history file refuses to start, clearly.
            second_port = free_port()
            second_config = tmp_path / "second.yaml"
            write_config(second_config, second_port, state, backend)
            second = start(second_config)
            _, second_err = second.communicate(timeout=60)
            assert second.returncode == 1
            assert "already using the history store" in second_err

            # A bad config on SIGHUP is rejected; the old one keeps running.
            config.write_text(config.read_text() + "  broken: {table: x, checks: [{type: nope}]}\n")
            agent.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while "dq_config_last_reload_successful 0.0" not in fetch(port, "/metrics"):
                assert time.monotonic() < deadline, "reload failure not exported"
                time.sleep(0.2)
            assert 'dataset="items"' in fetch(port, "/metrics")

            # A good config through POST /-/reload adds the dataset.
            write_config(config, port, state, backend,
                         f"  more: {{table: {backend.qualified('items')}, checks: [{{type: row_count}}]}}\n")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/-/reload", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                assert json.loads(response.read())["status"] == "ok"
            assert "dq_config_last_reload_successful 1.0" in fetch(port, "/metrics")

            exposed = fetch(port, "/metrics") + fetch(port, "/") + fetch(port, "/api/v1/datasets")
            assert "process_resident_memory_bytes" in exposed
        finally:
            agent.send_signal(signal.SIGTERM)
            _, logs = agent.communicate(timeout=60)
        assert agent.returncode == 0, logs
        assert "agent stopped" in logs
        lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        assert any(line.get("dataset") == "items" for line in lines)
        assert SECRET not in logs
        assert SECRET not in exposed
        assert SECRET not in second_err
