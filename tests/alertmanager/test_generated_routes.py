"""`dq-agent alertmanager routes --base alertmanager/alertmanager.yml` writes a config the real
amtool accepts, in which a dataset's alerts reach exactly the receivers its channels name."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.alerting.channels import channels_label
from agent.cli import main
from tests.agent.rules.test_rule_run import RULE
from tests.alertmanager.test_amtool import SECRET_FIELDS
from tests.support.components import require_binary

pytestmark = pytest.mark.prometheus

AM_DIR = Path(__file__).resolve().parents[2] / "alertmanager"
ISSUE_CHANNELS = ["slack:data-team", "email:data-team@company.com"]
HOOK = "https://hooks.example.com/dq/T0KEN"
ORDERS_CHANNELS = ["pagerduty:payments", f"webhook:{HOOK}"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole alertmanager.yml for a config with the issue's rule file and a dataset of its
    own, beside a copy of the templates it loads."""
    folder = tmp_path_factory.mktemp("am")
    (folder / "rules").mkdir()
    (folder / "rules" / "users.yaml").write_text(RULE.format(dataset="main.users"))
    config = folder / "dq.yaml"
    config.write_text(
        f"warehouses:\n  w: {{url: 'duckdb:///{folder / 'w.db'}'}}\n"
        "datasets:\n"
        "  orders:\n"
        "    table: orders\n"
        "    team: crm\n"
        f"    alerting: {{channels: {ORDERS_CHANNELS}, dedupe_window: 4h}}\n"
        "    checks: [{type: row_count, min: 1, alert_after: 2}]\n"
        "  customers: {table: customers, team: crm, checks: [{type: row_count, min: 1}]}\n"
        "rules: [rules]\n"
    )
    output = folder / "alertmanager.yml"
    shutil.copytree(AM_DIR / "templates", folder / "templates")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["alertmanager", "routes", "--config", str(config),
                     "--base", str(AM_DIR / "alertmanager.yml")])
    assert code == 0
    output.write_text(printed.getvalue())
    return output


def _amtool(*args: str) -> subprocess.CompletedProcess[str]:
    amtool = require_binary("amtool")
    return subprocess.run([str(amtool), *args], capture_output=True, text=True, timeout=60)


def _receivers(config: Path, labels: dict[str, str], expected: list[str]) -> None:
    """amtool routes the alert to ``expected``, in that order, and nowhere else."""
    result = _amtool(
        "config", "routes", "test", f"--config.file={config}",
        f"--verify.receivers={','.join(expected)}",
        *(f"{key}={value}" for key, value in labels.items()),
    )
    assert result.returncode == 0, f"{labels}: {result.stdout}{result.stderr}"
    assert result.stdout.strip().splitlines()[-1] == ",".join(expected)


def test_generated_config_passes_check_config(generated: Path) -> None:
    result = _amtool("check-config", str(generated))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout and "1 templates" in result.stdout
    assert "WARN" not in (result.stdout + result.stderr).upper()


def test_the_issue_rule_alert_reaches_exactly_its_channels(generated: Path) -> None:
    alert = {"alertname": "DataQualityCheckFailed", "severity": "critical", "warehouse": "w",
             "dataset": "user_table_freshness_check", "check": "not_null_user_id",
             "team": "data-platform", "channels": channels_label(ISSUE_CHANNELS)}
    _receivers(generated, alert, ["slack:data-team", "email:data-team@company.com"])
    # Lineage grouping and severity do not take it off its channels.
    _receivers(generated, {**alert, "incident_root": "raw_users", "severity": "info"},
               ["slack:data-team", "email:data-team@company.com"])


def test_a_dataset_with_pagerduty_and_a_webhook(generated: Path) -> None:
    label = channels_label(ORDERS_CHANNELS)
    hook = next(part for part in label.split(",") if part.startswith("webhook:"))
    alert = {"alertname": "DataQualityDatasetStale", "severity": "warning", "warehouse": "w",
             "dataset": "orders", "team": "crm", "channels": label}
    _receivers(generated, alert, ["pagerduty:payments", hook])


def test_datasets_without_channels_keep_the_team_routes(generated: Path) -> None:
    alert = {"alertname": "DataQualityCheckFailed", "severity": "critical", "warehouse": "w",
             "dataset": "customers", "check": "row_count", "team": "crm"}
    _receivers(generated, alert, ["crm-pager"])
    # Another dataset's channel label does not route through a route generated for "orders".
    _receivers(generated, {**alert, "channels": "slack:data-team"}, ["crm-pager"])


def test_a_channel_the_routes_do_not_know_falls_back_to_the_root_receiver(
    generated: Path
) -> None:
    alert = {"alertname": "DataQualityCheckFailed", "severity": "critical", "warehouse": "w",
             "dataset": "user_table_freshness_check", "check": "c", "team": "data-platform",
             "channels": "slack:renamed-team"}
    _receivers(generated, alert, ["data-quality-tickets"])


def test_generated_receivers_read_secrets_from_files(generated: Path) -> None:
    config: dict[str, Any] = yaml.safe_load(generated.read_text())
    route = config["route"]["routes"][0]
    assert route["matchers"] == ['dataset="orders"', 'channels=~".+"']
    assert route["repeat_interval"] == "4h"
    added = {r["name"]: r for r in config["receivers"] if ":" in r["name"]}
    assert set(added) == {"slack:data-team", "email:data-team@company.com",
                          "pagerduty:payments", next(n for n in added if n.startswith("webhook:"))}
    for name, receiver in added.items():
        for kind, entries in receiver.items():
            if kind in ("name", "webhook_configs"):
                continue  # a webhook's URL is the rule's own text (no url_file in 0.25)
            for entry in entries:
                assert not SECRET_FIELDS & set(entry), f"{name}: secret inline"
    assert added["slack:data-team"]["slack_configs"][0]["channel"] == "#data-team"
