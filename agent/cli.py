"""The ``dq-agent`` command line: a thin dispatcher over agent.commands.* modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from agent import __version__

# Each module registers one subcommand and sets ``handler`` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "agent.commands.run",
    "agent.commands.check",
    "agent.commands.validate_config",
    "agent.commands.anomaly",
    "agent.commands.profile",
    "agent.commands.suggest",
    "agent.commands.contract",
    "agent.commands.dbt",
    "agent.commands.alertmanager",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dq-agent", description="Data-quality checks exported to Prometheus."
    )
    parser.add_argument("--version", action="version", version=f"dq-agent {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
