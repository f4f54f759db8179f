"""Printing generated datasets as config YAML: a `datasets:` section to paste into a config, or
a whole config when the warehouse's URL is given."""

from __future__ import annotations

from typing import Any

import yaml


def config_yaml(
    datasets: dict[str, dict[str, Any]], *, warehouse: str | None, url: str | None,
    header: str = "",
) -> str:
    """YAML of ``datasets``; with ``url``, preceded by a ``warehouses`` section naming it."""
    document: dict[str, Any] = {}
    if url is not None:
        document["warehouses"] = {warehouse or "default": {"url": url}}
    document["datasets"] = datasets
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + text
