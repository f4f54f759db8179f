"""Alert channels (``slack:data-team``, ``email:team@example.com``, ``webhook:URL``,
``pagerduty:NAME``): parsing, the Alertmanager receiver each one names, and the ``channels``
label value that carries a dataset's channels from the agent into its alerts.

A channel's receiver name is the channel as written, except a webhook's, which is
``webhook:HOST-DIGEST``: the URL may hold a token, and the receiver name reaches metrics.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS: tuple[str, ...] = ("slack", "email", "webhook", "pagerduty")
FORMS = "slack:CHANNEL, email:ADDRESS, webhook:https://HOST/PATH or pagerduty:SERVICE"

_SLACK = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_EMAIL = re.compile(r"^[^@\s,\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PAGERDUTY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# RE2 metacharacters, escaped in the label matchers Alertmanager routes on.
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


class ChannelError(ValueError):
    """A channel string that cannot be used; the message says what is accepted."""


@dataclass(frozen=True)
class Channel:
    kind: str
    target: str

    @property
    def receiver(self) -> str:
        """The Alertmanager receiver name, also the channel's item in the ``channels`` label."""
        if self.kind == "webhook":
            host = urlsplit(self.target).hostname or "webhook"
            digest = hashlib.sha256(self.target.encode()).hexdigest()[:10]
            return f"webhook:{host}-{digest}"
        return f"{self.kind}:{self.target}"


def parse_channel(text: str) -> Channel:
    """The channel ``text`` names; ChannelError says what is wrong and how to write it."""
    kind, colon, target = text.strip().partition(":")
    if not colon or not kind or not target.strip():
        raise ChannelError(f"channel {text!r} is not KIND:TARGET; write one of {FORMS}")
    kind, target = kind.strip(), target.strip()
    if kind not in KINDS:
        raise ChannelError(
            f"channel {text!r}: unknown kind {kind!r}; write one of {FORMS}"
        )
    if kind == "slack":
        name = target.removeprefix("#")
        if not _SLACK.match(name):
            raise ChannelError(
                f"channel {text!r}: {name!r} is not a Slack channel name; use lowercase letters, "
                "digits, '-', '_' and '.', e.g. slack:data-team"
            )
        return Channel("slack", name)
    if kind == "email":
        if not _EMAIL.match(target):
            raise ChannelError(
                f"channel {text!r}: {target!r} is not an email address; write e.g. "
                "email:data-team@example.com"
            )
        return Channel("email", target)
    if kind == "pagerduty":
        if not _PAGERDUTY.match(target):
            raise ChannelError(
                f"channel {text!r}: {target!r} is not a PagerDuty service name; use letters, "
                "digits, '-', '_' and '.', e.g. pagerduty:data-team"
            )
        return Channel("pagerduty", target)
    url = urlsplit(target)
    if url.scheme not in ("http", "https") or not url.hostname or re.search(r"\s", target):
        raise ChannelError(
            f"channel {text!r}: {target!r} is not an http(s) URL; write e.g. "
            "webhook:https://hooks.example.com/data-quality"
        )
    return Channel("webhook", target)


def parse_channels(texts: Iterable[str]) -> list[Channel]:
    """Every channel of a list; a channel given twice is an error."""
    channels: list[Channel] = []
    seen: dict[str, str] = {}
    for text in texts:
        channel = parse_channel(text)
        if channel.receiver in seen:
            raise ChannelError(
                f"channel {text!r} is the same as {seen[channel.receiver]!r}; list it once"
            )
        seen[channel.receiver] = text
        channels.append(channel)
    return channels


def validate_channels(texts: list[str]) -> list[str]:
    """``texts`` unchanged if every channel is valid (a pydantic validator's body)."""
    parse_channels(texts)
    return texts


def channels_label(texts: Iterable[str]) -> str:
    """The ``channels`` label value: the receiver names, sorted and comma-separated ("" for
    none)."""
    return ",".join(sorted(channel.receiver for channel in parse_channels(texts)))


def channel_matcher(channel: Channel) -> str:
    """An Alertmanager matcher true when the ``channels`` label lists ``channel``."""
    pattern = _REGEX_SPECIAL.sub(r"\\\1", channel.receiver)
    quoted = pattern.replace("\\", "\\\\").replace('"', '\\"')
    return f'channels=~"(.*,)?{quoted}(,.*)?"'
