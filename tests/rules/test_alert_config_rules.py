"""rules/tests/alert_config_test.yml catches a recording rule that ignores the agent's
configured threshold and an alert that drops the channels label."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.rules.rulefiles import RULES_DIR
from tests.support.components import require_binary

pytestmark = pytest.mark.prometheus


def _mutated_run(tmp_path: Path, file: str, old: str, new: str) -> subprocess.CompletedProcess[str]:
    """promtool's result for alert_config_test.yml on a copy of rules/ with ``old`` replaced."""
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    path = tmp_path / "rules" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    promtool = require_binary("promtool")
    tests = tmp_path / "rules" / "tests"
    return subprocess.run([str(promtool), "test", "rules", "alert_config_test.yml"],
                          capture_output=True, text=True, timeout=240, cwd=tests)


def test_a_threshold_rule_without_the_agents_threshold_fails(tmp_path: Path) -> None:
    result = _mutated_run(
        tmp_path, "recording.yml",
        "max by (warehouse, dataset, check) (dq_check_alert_threshold)\n          or\n", "",
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "alertname: DataQualityCheckFailed, time: 7m" in output, output


def test_alerts_without_the_channels_label_fail(tmp_path: Path) -> None:
    result = _mutated_run(
        tmp_path, "alerts.yml", "group_left (team, channels, incident_root)",
        "group_left (team, incident_root)",
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "alertname: DataQualityCheckFailed, time: 12m" in output, output
    assert 'channels="email:data-team@company.com,slack:data-team"' in output
