"""The systemd unit: accepted by systemd-analyze, hardened as promised, secrets kept outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.packaging.paths import SYSTEMD_UNIT
from tests.support.components import require_binary

EXEC_START_BINARY = "/opt/dq-agent/bin/dq-agent"
MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 is fully locked down, 10 is unprotected


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file as ordered (key, value) lists; repeated keys are kept."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"directive outside a section: {line!r}"
        key, sep, value = line.partition("=")
        assert sep, f"not a KEY=VALUE line: {line!r}"
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


@pytest.fixture(scope="module")
def service() -> list[tuple[str, str]]:
    return parse_unit(SYSTEMD_UNIT.read_text(encoding="utf-8"))["Service"]


def verifiable_copy(tmp_path: Path, text: str) -> Path:
    """The unit with ExecStart pointing at an executable stub, since verify checks it exists."""
    stub = tmp_path / "dq-agent"
    stub.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    stub.chmod(0o755)
    unit = tmp_path / "dq-agent.service"
    unit.write_text(text.replace(EXEC_START_BINARY, str(stub)), encoding="utf-8")
    return unit


def run_verify(unit: Path) -> subprocess.CompletedProcess[str]:
    analyze = require_binary("systemd-analyze")
    return subprocess.run(
        [str(analyze), "verify", str(unit)], capture_output=True, text=True, timeout=60
    )


def test_systemd_analyze_verify_accepts_the_unit_without_warnings(tmp_path: Path) -> None:
    text = SYSTEMD_UNIT.read_text(encoding="utf-8")
    assert EXEC_START_BINARY in text
    result = run_verify(verifiable_copy(tmp_path, text))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == "", result.stderr


def test_verify_reports_a_misspelt_directive(tmp_path: Path) -> None:
    """The harness above would notice a broken unit: a typo is reported, not ignored."""
    text = SYSTEMD_UNIT.read_text(encoding="utf-8").replace("ProtectHome=", "ProtectHoem=")
    result = run_verify(verifiable_copy(tmp_path, text))
    assert "ProtectHoem" in result.stderr


def test_security_exposure_is_low(tmp_path: Path) -> None:
    analyze = require_binary("systemd-analyze")
    unit = verifiable_copy(tmp_path, SYSTEMD_UNIT.read_text(encoding="utf-8"))
    result = subprocess.run(
        [str(analyze), "security", "--offline=true", f"--threshold={int(MAX_EXPOSURE * 10)}",
         str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    exposure = float(match.group(1))
    assert exposure <= MAX_EXPOSURE, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Type", "exec"),
        ("DynamicUser", "yes"),
        ("StateDirectory", "dq-agent"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("NoNewPrivileges", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("Restart", "on-failure"),
        ("ExecReload", "/bin/kill -HUP $MAINPID"),
        ("EnvironmentFile", "-/etc/dq-agent/dq-agent.env"),
        ("SystemCallArchitectures", "native"),
        ("UMask", "0077"),
    ],
)
def test_hardening_directive(service: list[tuple[str, str]], key: str, expected: str) -> None:
    assert values(service, key) == [expected]


def test_daemon_command_line(service: list[tuple[str, str]]) -> None:
    assert values(service, "ExecStart") == [
        f"{EXEC_START_BINARY} run --config /etc/dq-agent/config.yaml"
    ]


def test_system_calls_limited_to_a_service_set(service: list[tuple[str, str]]) -> None:
    filters = values(service, "SystemCallFilter")
    assert "@system-service" in filters
    assert any(f.startswith("~") and "@privileged" in f for f in filters)


def test_stop_timeout_leaves_room_for_the_agents_grace_period(
    service: list[tuple[str, str]],
) -> None:
    """The agent gets shutdown_grace (30s by default) to finish running checks on SIGTERM."""
    (timeout,) = values(service, "TimeoutStopSec")
    assert timeout.endswith("s") and int(timeout[:-1]) > 30
    assert values(service, "KillSignal") in ([], ["SIGTERM"])


def test_no_secret_or_password_in_the_unit() -> None:
    text = SYSTEMD_UNIT.read_text(encoding="utf-8")
    directives = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    secret = re.compile(r"\s*Environment=.*(PASSWORD|SECRET|TOKEN)", re.I)
    assert not any(secret.match(d) for d in directives)
