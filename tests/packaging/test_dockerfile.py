"""packaging/Dockerfile: hadolint-clean, multi-stage, unprivileged, with a working HEALTHCHECK."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.dockerfile_model import Dockerfile, Stage, parse
from tests.packaging.paths import DOCKERFILE, EXAMPLE_CONFIG, REPO_ROOT
from tests.support.components import free_port, require_binary

PORT = 9187


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse(DOCKERFILE)


@pytest.fixture(scope="module")
def runtime(dockerfile: Dockerfile) -> Stage:
    return dockerfile.stages[-1]


def hadolint(path: Path) -> tuple[int, list[dict[str, object]]]:
    binary = require_binary("hadolint")
    result = subprocess.run(
        [str(binary), "--no-color", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    return result.returncode, json.loads(result.stdout or "[]")


def test_hadolint_reports_nothing() -> None:
    code, findings = hadolint(DOCKERFILE)
    assert findings == [], findings
    assert code == 0


def test_hadolint_would_catch_an_unpinned_install(tmp_path: Path) -> None:
    """The lint above really reads our file: unpinning the install is reported."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    pinned = '"dq-agent==${DQ_AGENT_VERSION}"'
    assert pinned in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(pinned, "dq-agent"), encoding="utf-8")
    _, findings = hadolint(broken)
    assert "DL3013" in {f["code"] for f in findings}


def test_two_stages_on_slim_python_311(dockerfile: Dockerfile) -> None:
    assert [s.name for s in dockerfile.stages] == ["build", "runtime"]
    base = dockerfile.arg_default("PYTHON_IMAGE")
    assert base is not None and base.startswith("python:3.11-slim")
    assert all(s.base == "${PYTHON_IMAGE}" for s in dockerfile.stages)


def test_runtime_stage_gets_wheels_only(dockerfile: Dockerfile, runtime: Stage) -> None:
    """No sources, compilers or indexes in the runtime image: it installs the built wheels."""
    assert not any(c.flags().get("from") for c in runtime.all("COPY"))
    pip_runs = [r for r in runtime.all("RUN") if "pip" in r.command()]
    assert len(pip_runs) == 1
    install = pip_runs[0]
    assert "--no-index" in install.command()
    assert install.flags()["mount"].startswith("type=bind,from=build")
    assert not any("apt-get" in r.command() for r in runtime.all("RUN"))
    assert "pip wheel" in dockerfile.stage("build").one("RUN").command()


def test_pinned_version_is_the_project_version(dockerfile: Dockerfile, runtime: Stage) -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert dockerfile.arg_default("DQ_AGENT_VERSION", runtime) == project["project"]["version"]


def test_runs_as_a_numeric_non_root_user(runtime: Stage) -> None:
    users = runtime.all("USER")
    assert users, "the runtime stage never leaves root"
    user, _, group = users[-1].arguments.partition(":")
    assert user.isdigit() and int(user) != 0
    assert not group or (group.isdigit() and int(group) != 0)
    entrypoint = runtime.one("ENTRYPOINT")
    assert users[-1].line < entrypoint.line


def test_daemon_command_config_port_and_volume(runtime: Stage) -> None:
    assert runtime.one("ENTRYPOINT").exec_form() == ["dq-agent"]
    assert runtime.one("CMD").exec_form() == ["run", "--config", "/etc/dq-agent/config.yaml"]
    assert runtime.one("EXPOSE").arguments.split() == [str(PORT)]
    assert "/var/lib/dq-agent" in json.loads(runtime.one("VOLUME").arguments)
    env = " ".join(e.arguments for e in runtime.all("ENV"))
    assert f"DQ_HEALTHCHECK_URL=http://127.0.0.1:{PORT}/healthz" in env


def test_every_copied_path_survives_the_dockerignore(dockerfile: Dockerfile) -> None:
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    included = {line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")}
    assert "*" in ignore.splitlines()
    for stage in dockerfile.stages:
        for copy in stage.all("COPY"):
            if copy.flags().get("from"):
                continue
            *sources, _dest = copy.command().split()
            for source in sources:
                assert source.rstrip("/") in included, f"{source} is excluded by the dockerignore"
                assert (REPO_ROOT / source).exists(), source
    assert EXAMPLE_CONFIG.relative_to(REPO_ROOT).as_posix() in included


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[http.server.ThreadingHTTPServer, int]]:
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, port
    finally:
        server.shutdown()
        server.server_close()


def run_healthcheck(runtime: Stage, url: str) -> int:
    command = runtime.one("HEALTHCHECK").exec_form()
    assert command is not None and command[0] == "python"
    env = {**os.environ, "DQ_HEALTHCHECK_URL": url}
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30
    ).returncode


def test_healthcheck_passes_on_a_healthy_agent(
    runtime: Stage, health_server: tuple[http.server.ThreadingHTTPServer, int]
) -> None:
    _Health.status = 200
    assert run_healthcheck(runtime, f"http://127.0.0.1:{health_server[1]}/healthz") == 0


def test_healthcheck_fails_on_an_unhealthy_agent(
    runtime: Stage, health_server: tuple[http.server.ThreadingHTTPServer, int]
) -> None:
    _Health.status = 503
    try:
        assert run_healthcheck(runtime, f"http://127.0.0.1:{health_server[1]}/healthz") != 0
    finally:
        _Health.status = 200


def test_healthcheck_fails_when_nothing_listens(runtime: Stage) -> None:
    assert run_healthcheck(runtime, f"http://127.0.0.1:{free_port()}/healthz") != 0
