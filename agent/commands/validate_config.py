"""``dq-agent validate-config FILE`` and ``dq-agent validate-config --schema``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.config.errors import ConfigError
from agent.config.loader import config_json_schema, load_config


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate-config", help="check a config file, or print the config's JSON Schema"
    )
    parser.add_argument("file", nargs="?", type=Path, help="YAML config file")
    parser.add_argument("--schema", action="store_true", help="print the JSON Schema and exit")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.schema:
        print(config_json_schema())
        return 0
    if args.file is None:
        print("dq-agent validate-config: give a config FILE or --schema", file=sys.stderr)
        return 2
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(f"{exc}", file=sys.stderr)
        return 1
    checks = sum(len(dataset.checks) for dataset in config.datasets.values())
    print(f"{args.file}: valid: {len(config.warehouses)} warehouses, "
          f"{len(config.datasets)} datasets, {checks} checks")
    return 0
