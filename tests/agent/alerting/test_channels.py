"""Channel strings: what is accepted, the receiver each names, the label and its matcher."""

from __future__ import annotations

import re

import pytest

from agent.alerting.channels import (
    Channel,
    ChannelError,
    channel_matcher,
    channels_label,
    parse_channel,
    parse_channels,
)


def _alertmanager_regex(matcher: str) -> re.Pattern[str]:
    """The regex Alertmanager compiles from a ``channels=~"..."`` matcher (anchored; in the
    quoted value \\\\ is one backslash)."""
    value = matcher.removeprefix('channels=~"').removesuffix('"')
    return re.compile(value.replace("\\\\", "\\"))


@pytest.mark.parametrize(("text", "kind", "target", "receiver"), [
    ("slack:data-team", "slack", "data-team", "slack:data-team"),
    ("slack:#data-team", "slack", "data-team", "slack:data-team"),
    ("email:data-team@company.com", "email", "data-team@company.com",
     "email:data-team@company.com"),
    ("pagerduty:Data_Team", "pagerduty", "Data_Team", "pagerduty:Data_Team"),
])
def test_accepted_channels_and_their_receivers(
    text: str, kind: str, target: str, receiver: str
) -> None:
    channel = parse_channel(text)
    assert channel == Channel(kind, target)
    assert channel.receiver == receiver


def test_a_webhook_receiver_names_its_host_not_its_url() -> None:
    url = "https://hooks.example.com/services/T000/SECRET-TOKEN"
    channel = parse_channel(f"webhook:{url}")
    assert channel == Channel("webhook", url)
    assert re.fullmatch(r"webhook:hooks\.example\.com-[0-9a-f]{10}", channel.receiver)
    assert "SECRET-TOKEN" not in channel.receiver
    other = parse_channel("webhook:https://hooks.example.com/services/T000/OTHER")
    assert other.receiver != channel.receiver


@pytest.mark.parametrize(("text", "expected"), [
    ("data-team", "is not KIND:TARGET; write one of slack:CHANNEL"),
    ("slack:", "is not KIND:TARGET"),
    ("sms:+3161234", "unknown kind 'sms'; write one of slack:CHANNEL, email:ADDRESS"),
    ("Slack:data-team", "unknown kind 'Slack'"),
    ("slack:Data Team", "is not a Slack channel name; use lowercase letters"),
    ("email:data-team", "is not an email address; write e.g. email:data-team@example.com"),
    ("email:a@b.com,c@d.com", "is not an email address"),
    ("webhook:hooks.example.com/x", "is not an http(s) URL; write e.g. webhook:https://"),
    ("pagerduty:data team", "is not a PagerDuty service name"),
])
def test_bad_channels_say_what_to_write(text: str, expected: str) -> None:
    with pytest.raises(ChannelError, match=re.escape(expected)):
        parse_channel(text)


def test_a_channel_listed_twice_is_an_error() -> None:
    with pytest.raises(ChannelError, match=r"'slack:#data-team' is the same as 'slack:data-team'"):
        parse_channels(["slack:data-team", "slack:#data-team"])


def test_label_lists_receivers_sorted() -> None:
    assert channels_label([]) == ""
    assert channels_label(["slack:data-team", "email:data-team@company.com"]) == (
        "email:data-team@company.com,slack:data-team"
    )


def test_matcher_finds_exactly_its_channel_in_the_label() -> None:
    email = _alertmanager_regex(channel_matcher(parse_channel("email:data-team@company.com")))
    slack = _alertmanager_regex(channel_matcher(parse_channel("slack:data-team")))
    label = channels_label(["slack:data-team", "email:data-team@company.com"])
    assert email.fullmatch(label) and slack.fullmatch(label)
    assert slack.fullmatch("slack:data-team")
    assert not slack.fullmatch("slack:data-team-2,email:x@y.com")
    assert not slack.fullmatch("slack:old-data-team")
    assert not email.fullmatch("email:data-team@companyXcom")  # the dot is literal
