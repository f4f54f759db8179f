"""Alertmanager routes and receivers for datasets with channels of their own.

Each such dataset gets one route, matching its ``dataset`` label and a non-empty ``channels``
label (which its alerts carry from dq_dataset_info). Under it, one child route per channel
matches that channel in the label, with ``continue: true``, so an alert reaches every channel
route it lists and nothing else: the dataset's route does not continue to the team routes.
``dedupe_window`` becomes the dataset route's ``repeat_interval``. An alert whose label lists
none of the generated channels (the config changed and the routes were not regenerated) goes to
the receiver of the route above (the root's).

No secret is written: Slack webhook URLs and PagerDuty routing keys are read from files under
``secrets_dir``; a webhook channel's URL is the rule's own text (Alertmanager 0.25 reads no
webhook URL from a file).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from agent.alerting.channels import Channel, ChannelError, channel_matcher, parse_channels
from agent.alerting.targets import AlertingError, AlertTarget

DEFAULT_SECRETS_DIR = "/etc/alertmanager/secrets"
_TITLE = '{{ template "dq.title" . }}'
_TEXT = '{{ template "dq.text" . }}'


def repeat_interval(seconds: float, origin: str) -> str:
    """An Alertmanager duration for ``seconds``, in its largest whole unit."""
    if seconds < 1:
        raise AlertingError(
            f"{origin}: dedupe_window {seconds:g}s is below Alertmanager's 1s resolution; "
            "write e.g. '5 minutes' or 1h"
        )
    if not float(seconds).is_integer():
        return f"{math.ceil(seconds * 1000)}ms"
    whole = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def receiver(channel: Channel, secrets_dir: str = DEFAULT_SECRETS_DIR) -> dict[str, Any]:
    """The Alertmanager receiver a channel names, using the templates of alertmanager/templates."""
    config: dict[str, Any]
    if channel.kind == "slack":
        config = {"slack_configs": [{
            "api_url_file": f"{secrets_dir}/slack-{channel.target}-webhook-url",
            "channel": f"#{channel.target}",
            "title": _TITLE, "title_link": '{{ template "dq.runbook" . }}', "text": _TEXT,
            "send_resolved": True,
        }]}
    elif channel.kind == "email":
        config = {"email_configs": [{
            "to": channel.target, "headers": {"Subject": _TITLE},
            "html": '{{ template "dq.email.html" . }}', "text": _TEXT, "send_resolved": False,
        }]}
    elif channel.kind == "pagerduty":
        config = {"pagerduty_configs": [{
            "routing_key_file": f"{secrets_dir}/pagerduty-{channel.target}-routing-key",
            "description": _TITLE, "details": {"summary": _TEXT}, "send_resolved": True,
        }]}
    else:
        config = {"webhook_configs": [{"url": channel.target, "send_resolved": True}]}
    return {"name": channel.receiver, **config}


def dataset_route(target: AlertTarget, channels: Sequence[Channel]) -> dict[str, Any]:
    """The route of one dataset: one child per channel, each continuing to the next."""
    dataset = target.dataset.replace("\\", "\\\\").replace('"', '\\"')
    route: dict[str, Any] = {"matchers": [f'dataset="{dataset}"', 'channels=~".+"']}
    if target.dedupe_window is not None:
        route["repeat_interval"] = repeat_interval(target.dedupe_window, target.origin)
    route["routes"] = [
        {"matchers": [channel_matcher(channel)], "receiver": channel.receiver, "continue": True}
        for channel in channels
    ]
    return route


def routes_fragment(
    targets: Sequence[AlertTarget], secrets_dir: str = DEFAULT_SECRETS_DIR
) -> dict[str, Any]:
    """``{"route": {"routes": [...]}, "receivers": [...]}`` for the targets with channels, in
    dataset order; a receiver used by several datasets is listed once."""
    routes: list[dict[str, Any]] = []
    receivers: dict[str, dict[str, Any]] = {}
    seen: dict[str, str] = {}
    for target in sorted(targets, key=lambda t: t.dataset):
        if not target.channels:
            continue
        if target.dataset in seen:
            raise AlertingError(
                f"{target.origin}: dataset {target.dataset!r} is also defined by "
                f"{seen[target.dataset]}; rename one of them"
            )
        seen[target.dataset] = target.origin
        try:
            channels = parse_channels(target.channels)
        except ChannelError as exc:
            raise AlertingError(f"{target.origin}: {exc}") from None
        routes.append(dataset_route(target, channels))
        for channel in channels:
            receivers.setdefault(channel.receiver, receiver(channel, secrets_dir))
    return {"route": {"routes": routes}, "receivers": list(receivers.values())}


def unrouted(targets: Sequence[AlertTarget]) -> list[AlertTarget]:
    """Targets with a dedupe_window but no channels: no route can carry their window without
    taking their alerts off the team routes, so none is generated."""
    return [t for t in targets if not t.channels and t.dedupe_window is not None]
