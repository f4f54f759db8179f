"""What several commands share: loading the config and naming the datasets it lacks."""

from __future__ import annotations

import sys
from pathlib import Path

from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.config.models import Config


def load_or_report(path: Path) -> Config | None:
    """The config at ``path``, or None after printing why it cannot be used."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"dq-agent: {exc}", file=sys.stderr)
        return None


def report_unknown_datasets(config: Config, names: list[str], prefix: str = "dq-agent") -> bool:
    """Print the unknown ones among ``names`` with the configured ones; True when all are known."""
    unknown = [name for name in names if name not in config.datasets]
    if not unknown:
        return True
    known = ", ".join(sorted(config.datasets)) or "none"
    what = f"dataset {unknown[0]!r}" if len(names) == 1 else f"dataset(s) {', '.join(unknown)}"
    print(f"{prefix}: unknown {what}; configured: {known}", file=sys.stderr)
    return False
