"""Finding the real components tests need; in CI (CI=true) a missing one fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where every real component must be present."""
    if IN_CI:
        pytest.fail(f"required component unavailable in CI: {reason}")
    pytest.skip(reason)


def require_binary(*names: str) -> Path:
    """Path of the first of ``names`` found on PATH (or in /usr/bin, /usr/sbin)."""
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/sbin:/usr/local/bin")
        if found:
            return Path(found)
    unavailable(f"none of {', '.join(names)} is installed")
    raise AssertionError("unreachable")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


NOT_APPLICABLE = "not applicable: "


def not_applicable(reason: str) -> None:
    """Skip a parametrised case that does not apply (a dialect without the feature); unlike a
    missing component, this is allowed in CI."""
    pytest.skip(NOT_APPLICABLE + reason)
