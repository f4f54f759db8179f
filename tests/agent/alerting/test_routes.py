"""The generated Alertmanager routes and receivers: one route per dataset with channels, one
child per channel, dedupe_window as repeat_interval, no secret inline, bad input named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.alerting.merge import load_base, merged
from agent.alerting.routes import repeat_interval, routes_fragment, unrouted
from agent.alerting.targets import AlertingError, AlertTarget, targets_from_rules
from tests.agent.rules.test_rule_run import RULE

BASE = Path(__file__).resolve().parents[3] / "alertmanager" / "alertmanager.yml"


def target(dataset: str, *channels: str, window: float | None = None) -> AlertTarget:
    return AlertTarget(dataset, channels, window, f"rule file {dataset}.yaml")


def write_rule(folder: Path, name: str, alert_config: str, rule_id: str | None = None) -> Path:
    text = RULE.format(dataset="main.users")
    head, _, tail = text.partition("alert_config:\n")
    tags = tail[tail.index("tags:"):]
    text = head + alert_config + tags
    if rule_id:
        text = text.replace('rule_id: "user_table_freshness_check"', f'rule_id: "{rule_id}"')
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_rule_becomes_one_route_with_a_child_per_channel(tmp_path: Path) -> None:
    (tmp_path / "users.yaml").write_text(RULE.format(dataset="main.users"), encoding="utf-8")
    fragment = routes_fragment(targets_from_rules([tmp_path]))
    assert fragment["route"]["routes"] == [{
        "matchers": ['dataset="user_table_freshness_check"', 'channels=~".+"'],
        "repeat_interval": "1h",
        "routes": [
            {"matchers": ['channels=~"(.*,)?slack:data-team(,.*)?"'],
             "receiver": "slack:data-team", "continue": True},
            {"matchers": ['channels=~"(.*,)?email:data-team@company\\\\.com(,.*)?"'],
             "receiver": "email:data-team@company.com", "continue": True},
        ],
    }]
    slack, email = fragment["receivers"]
    assert slack["name"] == "slack:data-team"
    assert slack["slack_configs"][0]["channel"] == "#data-team"
    assert slack["slack_configs"][0]["api_url_file"] == (
        "/etc/alertmanager/secrets/slack-data-team-webhook-url"
    )
    assert email == {"name": "email:data-team@company.com", "email_configs": [
        {**email["email_configs"][0], "to": "data-team@company.com"}]}


def test_pagerduty_and_webhook_receivers() -> None:
    url = "https://hooks.example.com/dq"
    fragment = routes_fragment([target("orders", "pagerduty:payments", f"webhook:{url}")],
                               secrets_dir="/run/secrets")
    pager, hook = fragment["receivers"]
    assert pager["pagerduty_configs"][0]["routing_key_file"] == (
        "/run/secrets/pagerduty-payments-routing-key"
    )
    assert "routing_key" not in pager["pagerduty_configs"][0]
    assert hook["webhook_configs"] == [{"url": url, "send_resolved": True}]
    assert hook["name"].startswith("webhook:hooks.example.com-")


def test_receivers_shared_by_datasets_are_listed_once_and_routes_sorted() -> None:
    fragment = routes_fragment([
        target("users", "slack:data-team"), target("orders", "slack:data-team", "email:a@b.io"),
        target("quiet"),
    ])
    routes = fragment["route"]["routes"]
    assert [r["matchers"][0] for r in routes] == ['dataset="orders"', 'dataset="users"']
    assert all("repeat_interval" not in r for r in routes)
    assert [r["name"] for r in fragment["receivers"]] == ["slack:data-team", "email:a@b.io"]


@pytest.mark.parametrize(("seconds", "text"), [
    (3600, "1h"), (5400, "90m"), (86400, "1d"), (45, "45s"), (1.5, "1500ms"), (7 * 86400, "7d"),
])
def test_dedupe_window_as_repeat_interval(seconds: float, text: str) -> None:
    assert repeat_interval(seconds, "here") == text


def test_a_window_below_one_second_is_refused() -> None:
    with pytest.raises(AlertingError, match=r"rule file x\.yaml: dedupe_window 0\.5s .* write e\.g\."):
        routes_fragment([target("x", "slack:a", window=0.5)])


def test_a_window_without_channels_is_reported_not_routed() -> None:
    targets = [target("x", window=3600.0), target("y", "slack:a", window=60.0)]
    assert [t.dataset for t in unrouted(targets)] == ["x"]
    assert len(routes_fragment(targets)["route"]["routes"]) == 1


def test_a_bad_channel_names_the_rule_file_its_line_and_the_fix(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "users.yaml", (
        "alert_config:\n"
        "  severity: high\n"
        '  channels: ["slack:data-team", "teams:data-team"]\n'
    ))
    with pytest.raises(AlertingError) as caught:
        targets_from_rules([tmp_path])
    message = str(caught.value)
    assert f"{path}:" in message
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "channels" in text)
    assert f"{path}:{line}" in message
    assert "alert_config.channels" in message
    assert "unknown kind 'teams'; write one of slack:CHANNEL, email:ADDRESS" in message


def test_a_bad_email_channel_is_refused_with_an_example(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "users.yaml", 'alert_config:\n  channels: ["email:data-team"]\n')
    with pytest.raises(AlertingError, match=r"is not an email address; write e\.g\.") as caught:
        targets_from_rules([path])
    assert str(path) in str(caught.value)


def test_rule_ids_used_twice_are_refused(tmp_path: Path) -> None:
    write_rule(tmp_path, "a.yaml", 'alert_config:\n  channels: ["slack:a"]\n')
    write_rule(tmp_path, "b.yaml", 'alert_config:\n  channels: ["slack:b"]\n')
    with pytest.raises(AlertingError, match=r"b\.yaml: rule_id 'user_table_freshness_check' is "
                                            r"already used in .*a\.yaml"):
        targets_from_rules([tmp_path])


def test_merged_puts_dataset_routes_first_and_keeps_the_base() -> None:
    base = load_base(BASE)
    fragment = routes_fragment([target("users", "slack:data-team", window=3600.0)])
    config = merged(base, fragment, BASE)
    routes = config["route"]["routes"]
    assert routes[0] == fragment["route"]["routes"][0]
    assert routes[1:] == base["route"]["routes"]
    assert config["receivers"][-1]["name"] == "slack:data-team"
    assert config["inhibit_rules"] == base["inhibit_rules"]
    assert load_base(BASE) == base  # the base itself is untouched


def test_merging_a_receiver_the_base_defines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "am.yml"
    path.write_text(yaml.safe_dump({"route": {"receiver": "slack:a"},
                                    "receivers": [{"name": "slack:a"}]}))
    fragment = routes_fragment([target("users", "slack:a")])
    with pytest.raises(AlertingError, match=r"am\.yml: already defines receiver\(s\) slack:a"):
        merged(load_base(path), fragment, path)


def test_a_base_without_a_route_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "am.yml"
    path.write_text("receivers: []\n")
    with pytest.raises(AlertingError, match=r"needs a top-level `route`"):
        load_base(path)
