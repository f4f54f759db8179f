"""Loading the shipped Prometheus rule files and their promtool unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "rules"
RULE_TESTS_DIR = RULES_DIR / "tests"
RUNBOOK = RULES_DIR / "runbook.md"


def rule_files() -> list[Path]:
    """The rule files Prometheus loads (rules/*.yml; tests and fixtures excluded)."""
    return sorted(RULES_DIR.glob("*.yml"))


def promtool_test_files() -> list[Path]:
    return sorted(RULE_TESTS_DIR.glob("*_test.yml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path}: expected a mapping at the top level"
    return data


def rules(kind: str) -> list[dict[str, Any]]:
    """Every rule of ``kind`` ("alert" or "record") in the shipped rule files."""
    found: list[dict[str, Any]] = []
    for path in rule_files():
        for group in load(path).get("groups", []):
            found.extend(rule for rule in group.get("rules") or [] if kind in rule)
    return found


def alert_tests() -> list[dict[str, Any]]:
    """Every alert_rule_test case of every promtool test file."""
    cases: list[dict[str, Any]] = []
    for path in promtool_test_files():
        for test in load(path).get("tests", []):
            cases.extend(test.get("alert_rule_test") or [])
    return cases


def expr_tests() -> list[dict[str, Any]]:
    """Every promql_expr_test case of every promtool test file."""
    cases: list[dict[str, Any]] = []
    for path in promtool_test_files():
        for test in load(path).get("tests", []):
            cases.extend(test.get("promql_expr_test") or [])
    return cases
