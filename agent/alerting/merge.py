"""A whole alertmanager.yml: a hand-written base with the generated routes and receivers added.

The generated dataset routes go first under the base's root route, so a dataset with channels
of its own is routed to them before the team routes; the generated receivers are appended.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from agent.alerting.targets import AlertingError


def load_base(path: Path) -> dict[str, Any]:
    """The base Alertmanager config at ``path``, which must have a root route."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise AlertingError(f"{path}: cannot read the base Alertmanager config: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("route"), dict):
        raise AlertingError(f"{path}: not an Alertmanager config; it needs a top-level `route`")
    return data


def merged(base: dict[str, Any], fragment: dict[str, Any], base_path: Path) -> dict[str, Any]:
    """``base`` with the fragment's routes first under its root route and its receivers added;
    a receiver name the base already uses is an error."""
    config = copy.deepcopy(base)
    known = {item.get("name") for item in config.get("receivers") or []}
    clashes = sorted(
        item["name"] for item in fragment["receivers"] if item["name"] in known
    )
    if clashes:
        raise AlertingError(
            f"{base_path}: already defines receiver(s) {', '.join(clashes)}; remove them from the "
            "base (the generated ones replace them) or rename them there"
        )
    root = config["route"]
    root["routes"] = [*fragment["route"]["routes"], *(root.get("routes") or [])]
    config["receivers"] = [*(config.get("receivers") or []), *fragment["receivers"]]
    return config
