"""Real Prometheus and Alertmanager for integration tests: free loopback ports, temporary
directories, short intervals, and copies of the shipped rules/ and alertmanager/ configs."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.components import free_port, require_binary

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _wait_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{server.name} not ready: {server.log.read_text()[-2000:]}")


@contextmanager
def _running(name: str, argv: list[str], port: int, log: Path, ready: str) -> Iterator[Server]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, ready)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _minutes_to_seconds(duration: str) -> str:
    match = re.fullmatch(r"(\d+)([smh])", duration)
    assert match, f"unexpected rule duration {duration!r}"
    value, unit = int(match.group(1)), match.group(2)
    seconds = {"s": value, "m": value * 60, "h": value * 3600}[unit]
    return f"{max(1, seconds // 60)}s"


def fast_rule_copies(dest: Path, interval: str = "1s") -> list[Path]:
    """rules/*.yml with every group evaluated each ``interval`` and every ``for`` cut from
    minutes to as many seconds (2m -> 2s), which keeps their order: inhibitions rely on it."""
    dest.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in sorted((REPO / "rules").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        for group in data["groups"]:
            group["interval"] = interval
            for rule in group.get("rules") or []:
                if "for" in rule:
                    rule["for"] = _minutes_to_seconds(str(rule["for"]))
        copy = dest / path.name
        copy.write_text(yaml.safe_dump(data, sort_keys=False))
        copies.append(copy)
    return copies


def fast_alertmanager_config(webhook_base: str) -> dict[str, Any]:
    """alertmanager.yml with the same routes, groups and inhibitions, but every receiver a
    webhook to ``webhook_base``/<receiver>, 1s group waits, and business hours all week."""
    config: dict[str, Any] = yaml.safe_load((REPO / "alertmanager" / "alertmanager.yml").read_text())
    config["global"] = {"resolve_timeout": "5m"}
    config.pop("templates", None)
    config["receivers"] = [
        {"name": r["name"], "webhook_configs": [
            {"url": f"{webhook_base}/{r['name']}", "send_resolved": False, "max_alerts": 0}]}
        for r in config["receivers"]
    ]

    def shorten(route: dict[str, Any]) -> None:
        if "group_wait" in route or route is config["route"]:
            route["group_wait"] = "1s"
        route["group_interval"] = "2s"
        route["repeat_interval"] = "1h"
        for child in route.get("routes") or []:
            shorten(child)

    # PyYAML shares aliased subtrees; copy them so shortening one does not surprise another.
    config["route"] = yaml.safe_load(yaml.safe_dump(config["route"]))
    shorten(config["route"])
    for interval in config.get("time_intervals", []):
        interval["time_intervals"] = [{"weekdays": ["sunday:saturday"]}]
    return config


@contextmanager
def alertmanager(tmp: Path, config: dict[str, Any]) -> Iterator[Server]:
    binary = require_binary("prometheus-alertmanager", "alertmanager")
    tmp.mkdir(parents=True, exist_ok=True)
    config_file = tmp / "alertmanager.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    argv = [
        str(binary), f"--config.file={config_file}", f"--storage.path={tmp / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
        "--log.level=warn",
    ]
    with _running("alertmanager", argv, port, tmp / "alertmanager.log", "/-/ready") as server:
        yield server


@contextmanager
def prometheus(
    tmp: Path, targets: dict[str, str], alertmanager_url: str | None, interval: str = "1s"
) -> Iterator[Server]:
    """Prometheus scraping ``targets`` (job -> host:port) and evaluating fast rule copies."""
    binary = require_binary("prometheus")
    tmp.mkdir(parents=True, exist_ok=True)
    rules = fast_rule_copies(tmp / "rules", interval)
    config: dict[str, Any] = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval,
                   "scrape_timeout": interval},
        "rule_files": [str(path) for path in rules],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ],
    }
    if alertmanager_url:
        host = re.sub(r"^https?://", "", alertmanager_url)
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [host]}]}]}
    config_file = tmp / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    argv = [
        str(binary), f"--config.file={config_file}", f"--storage.tsdb.path={tmp / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        "--rules.alert.resend-delay=1s",
    ]
    with _running("prometheus", argv, port, tmp / "prometheus.log", "/-/ready") as server:
        yield server
