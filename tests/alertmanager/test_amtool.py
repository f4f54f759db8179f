"""alertmanager.yml is amtool-clean, every route is exercised by a route test, and no receiver
holds a secret inline."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.components import require_binary

pytestmark = pytest.mark.prometheus

AM_DIR = Path(__file__).resolve().parents[2] / "alertmanager"
CONFIG = AM_DIR / "alertmanager.yml"
CASES: list[dict[str, Any]] = yaml.safe_load((AM_DIR / "tests" / "routes.yml").read_text())["cases"]
# Receiver fields that carry a URL or a key; each must be given through its *_file variant.
SECRET_FIELDS = {
    "url", "api_url", "routing_key", "service_key", "api_key", "auth_password", "auth_secret",
    "token", "bot_token", "webhook_url", "password", "credentials",
}
SECRET_GLOBALS = {
    "slack_api_url", "smtp_auth_password", "smtp_auth_secret", "opsgenie_api_key",
    "victorops_api_key", "wechat_api_secret", "telegram_api_url",
}

Path_ = tuple[int, ...]


def _config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return data


def _display(route: dict[str, Any]) -> str:
    """How `amtool config routes test --tree` names a route."""
    matchers = route.get("matchers") or []
    return "{" + ",".join(matchers) + "}" if matchers else "default-route"


def _routes(route: dict[str, Any], path: Path_ = ()) -> dict[Path_, dict[str, Any]]:
    """Every route of the tree by its path of child indices (the root is ())."""
    found = {path: route}
    for index, child in enumerate(route.get("routes") or []):
        found.update(_routes(child, (*path, index)))
    return found


def _can_end_here(route: dict[str, Any]) -> bool:
    """False when a child without matchers catches everything that reaches this route."""
    return not any(not child.get("matchers") for child in route.get("routes") or [])


def _amtool(*args: str) -> subprocess.CompletedProcess[str]:
    amtool = require_binary("amtool")
    return subprocess.run([str(amtool), *args], capture_output=True, text=True, timeout=60)


def _matched_path(root: dict[str, Any], tree_output: str) -> Path_:
    """The route path amtool's --tree output reports."""
    lines = [line for line in tree_output.splitlines() if "── " in line]
    assert lines and lines[0].split("── ", 1)[1].startswith("default-route"), tree_output
    path: Path_ = ()
    node = root
    for line in lines[1:]:
        text = line.split("── ", 1)[1].split("  receiver:")[0].strip()
        children = node.get("routes") or []
        hits = [i for i, child in enumerate(children) if _display(child) == text]
        assert len(hits) == 1, f"cannot place {text!r} under route {path}: {tree_output}"
        path = (*path, hits[0])
        node = children[hits[0]]
    return path


def test_check_config_is_clean() -> None:
    result = _amtool("check-config", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "WARN" not in (result.stdout + result.stderr).upper()


def test_route_cases_reach_their_receivers_and_cover_every_route() -> None:
    root = _config()["route"]
    routes = _routes(root)
    ended: set[Path_] = set()
    for case in CASES:
        labels = [f"{key}={value}" for key, value in case["labels"].items()]
        expected = ",".join(case["receivers"])
        result = _amtool(
            "config", "routes", "test", f"--config.file={CONFIG}", "--tree",
            f"--verify.receivers={expected}", *labels,
        )
        assert result.returncode == 0, f"{case}: {result.stdout}{result.stderr}"
        ended.add(_matched_path(root, result.stdout))
    must_end = {path for path, route in routes.items() if _can_end_here(route)}
    missing = sorted(must_end - ended)
    assert not missing, "routes no case ends at: " + "; ".join(
        " > ".join(_display(routes[p[:i]]) for i in range(len(p) + 1)) for p in missing
    )
    # Every route is at least on the way of some case.
    visited = {path[:i] for path in ended for i in range(len(path) + 1)}
    assert visited == set(routes)


def test_grouping_and_timings() -> None:
    root = _config()["route"]
    assert root["group_by"] == ["warehouse", "dataset"]
    children = root["routes"]
    incident = [r for r in children if r.get("matchers") == ['incident_root=~".+"']]
    assert incident and incident[0]["group_by"] == ["incident_root"]
    assert root["group_wait"] and root["group_interval"] and root["repeat_interval"]


def test_warning_and_info_are_muted_outside_business_hours() -> None:
    config = _config()
    assert {interval["name"] for interval in config["time_intervals"]} == {"business-hours"}
    for route in _routes(config["route"]).values():
        matchers = route.get("matchers") or []
        if matchers in (['severity="warning"'], ['severity="info"']):
            assert route.get("active_time_intervals") == ["business-hours"], route
        if matchers == ['severity="critical"']:
            assert not route.get("active_time_intervals") and not route.get("mute_time_intervals")


def test_inhibitions_cover_agent_warehouse_and_severity() -> None:
    rules = _config()["inhibit_rules"]
    sources = [tuple(rule["source_matchers"]) for rule in rules]
    assert ('alertname="DataQualityAgentDown"',) in sources
    assert ('alertname="DataQualityWarehouseUnreachable"',) in sources
    assert ('severity="critical"', 'check=~".+"') in sources


def test_no_secret_is_inline() -> None:
    config = _config()
    assert not SECRET_GLOBALS & set(config.get("global", {}))
    for receiver in config["receivers"]:
        for kind, entries in receiver.items():
            if kind == "name":
                continue
            for entry in entries:
                inline = SECRET_FIELDS & set(entry)
                assert not inline, f"receiver {receiver['name']} {kind}: {inline} inline"
                for key, value in entry.items():
                    if key.endswith("_file"):
                        assert str(value).startswith("/etc/alertmanager/secrets/"), value
