"""The shipped rules pass `promtool check rules` and their promtool unit tests, and the unit
tests catch a broken rule."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.rules.rulefiles import RULE_TESTS_DIR, RULES_DIR, promtool_test_files, rule_files
from tests.support.components import require_binary

pytestmark = pytest.mark.prometheus


def _promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    promtool = require_binary("promtool")
    return subprocess.run(
        [str(promtool), *args], capture_output=True, text=True, timeout=240, cwd=cwd
    )


def test_check_rules_is_clean() -> None:
    result = _promtool("check", "rules", *map(str, rule_files()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in (result.stdout + result.stderr).upper()


def test_unit_tests_pass() -> None:
    assert promtool_test_files(), "no promtool unit tests under rules/tests"
    result = _promtool("test", "rules", *map(str, promtool_test_files()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(promtool_test_files())


def test_unit_tests_catch_a_changed_threshold(tmp_path: Path) -> None:
    """Mutation check: alerting one run early must make the alert tests fail."""
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    alerts = tmp_path / "rules" / "alerts.yml"
    text = alerts.read_text()
    mutated = text.replace(
        ">= on (warehouse, dataset, check) group_left ()",
        "> on (warehouse, dataset, check) group_left ()",
    )
    assert mutated != text
    alerts.write_text(mutated)
    test_file = tmp_path / "rules" / "tests" / "alerts_test.yml"
    result = _promtool("test", "rules", str(test_file), cwd=RULE_TESTS_DIR)
    assert result.returncode != 0
    assert "DataQualityCheckFailed" in result.stdout + result.stderr
