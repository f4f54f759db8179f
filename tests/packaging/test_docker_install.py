"""The Dockerfile's install steps, run for real in fresh virtual environments.

The build stage's COPY lines are replayed into a scratch source tree and its `pip wheel` runs
there; the runtime stage's `pip install` then runs in a second, empty venv (no system site
packages) against those wheels only, as in the image. Needs the package index (or pip's cache)
for the dependencies' wheels.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.packaging.dockerfile_model import Dockerfile, Instruction, Stage, parse
from tests.packaging.paths import DOCKERFILE, REPO_ROOT
from tests.support.components import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def make_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(path)
    config = (path / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in config
    return path / "bin"


def replay_copies(stage: Stage, workdir: str, source_root: Path) -> None:
    """Apply the stage's COPY lines from the repository into ``source_root`` (its WORKDIR)."""
    for copy in stage.all("COPY"):
        *sources, dest = copy.command().split()
        assert dest.startswith("./") or dest == "./", f"line {copy.line}: unexpected COPY target"
        target = source_root / dest
        for source in sources:
            origin = REPO_ROOT / source
            assert origin.exists(), f"line {copy.line}: COPY source {source} does not exist"
            if origin.is_dir():
                shutil.copytree(
                    origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]")
                )
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name)
    assert workdir.startswith("/")


def localise(run: Instruction, replacements: dict[str, str], bin_dir: Path) -> str:
    command = run.command()
    for path, local in replacements.items():
        command = command.replace(path, local)
    assert command.startswith("python -m pip "), f"line {run.line}: {command}"
    return str(bin_dir / "python") + command.removeprefix("python")


def substitute_args(command: str, dockerfile: Dockerfile, stage: Stage) -> str:
    for arg in stage.all("ARG") + dockerfile.global_args:
        name = arg.arguments.partition("=")[0].strip()
        default = dockerfile.arg_default(name, stage)
        if default is not None:
            command = command.replace("${" + name + "}", default)
    assert "${" not in command, command
    return command


def run(command: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=840
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def test_image_install_steps_give_a_working_dq_agent(tmp_path: Path) -> None:
    dockerfile = parse(DOCKERFILE)
    build, runtime = dockerfile.stage("build"), dockerfile.stage("runtime")
    wheels = tmp_path / "wheels"

    workdir = build.one("WORKDIR").arguments
    source_root = tmp_path / "src"
    source_root.mkdir()
    replay_copies(build, workdir, source_root)
    build_bin = make_venv(tmp_path / "build-venv")
    (wheel_step,) = [r for r in build.all("RUN") if "pip" in r.command()]
    run(
        localise(wheel_step, {"/wheels": str(wheels)}, build_bin).replace(" .", f" {source_root}"),
        cwd=source_root,
    )
    assert any(w.name.startswith("dq_agent-") for w in wheels.glob("*.whl"))

    runtime_bin = make_venv(tmp_path / "runtime-venv")
    (install_step,) = [r for r in runtime.all("RUN") if "pip" in r.command()]
    mount = install_step.flags()["mount"]
    target = dict(part.split("=", 1) for part in mount.split(","))["target"]
    command = localise(install_step, {target: str(wheels)}, runtime_bin)
    run(substitute_args(command, dockerfile, runtime), cwd=tmp_path)

    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    expected = f"dq-agent {version['project']['version']}"
    result = subprocess.run(
        [str(runtime_bin / "dq-agent"), "--version"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected

    # The installed package, not the checkout, and no development extras.
    probe = (
        "import importlib.util as u, agent, exporter; "
        "print(agent.__file__); print(exporter.__file__); print(u.find_spec('pytest') is None)"
    )
    out = subprocess.run(
        [str(runtime_bin / "python"), "-c", probe],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    agent_file, exporter_file, no_pytest = out.stdout.split()
    assert agent_file.startswith(str(tmp_path / "runtime-venv"))
    assert exporter_file.startswith(str(tmp_path / "runtime-venv"))
    assert no_pytest == "True"
    assert sys.executable not in agent_file

    serve_from_the_installed_venv(runtime_bin, runtime, tmp_path)


SMOKE_CONFIG = """
agent:
  listen: 127.0.0.1:{port}
  state_dir: {state}
  shutdown_grace: 10s
warehouses:
  local:
    url: duckdb:///{database}
datasets:
  orders:
    table: orders
    schedule: 1h
    checks:
      - type: row_count
        min: 1
      - type: not_null
        column: id
"""


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def serve_from_the_installed_venv(bin_dir: Path, runtime: Stage, tmp_path: Path) -> None:
    """The installed daemon starts, answers the image's HEALTHCHECK, and stops cleanly."""
    database = tmp_path / "warehouse.duckdb"
    make_table = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table orders as select range as id from range(10)'); c.close()"
    )
    subprocess.run([str(bin_dir / "python"), "-c", make_table, str(database)], check=True)
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        SMOKE_CONFIG.format(port=port, state=tmp_path / "state", database=database),
        encoding="utf-8",
    )
    daemon = subprocess.Popen(
        [str(bin_dir / "dq-agent"), "run", "--config", str(config)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while http_status(f"{base}/readyz") != 200:
            assert daemon.poll() is None, daemon.communicate()[0]
            assert time.monotonic() < deadline, "the agent never became ready"
            time.sleep(0.5)
        assert http_status(f"{base}/healthz") == 200
        healthcheck = runtime.one("HEALTHCHECK").exec_form()
        assert healthcheck is not None
        probe = subprocess.run(
            [str(bin_dir / "python"), *healthcheck[1:]],
            env={**os.environ, "DQ_HEALTHCHECK_URL": f"{base}/healthz"}, timeout=30,
        )
        assert probe.returncode == 0
        deadline = time.monotonic() + 60
        while "dq_check_success{" not in urllib.request.urlopen(f"{base}/metrics").read().decode():
            assert time.monotonic() < deadline, "no check result was exported"
            time.sleep(0.5)
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=45)
        assert daemon.returncode == 0, output
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
