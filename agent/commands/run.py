"""``dq-agent run --config FILE``: the daemon."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from agent.config.errors import ConfigError
from agent.config.loader import load_config
from agent.logging_setup import configure_logging

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run", help="run the agent: scheduled checks, history, /metrics"
    )
    parser.add_argument("--config", required=True, type=Path, help="YAML config file")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-format", default="text", choices=["text", "json"])
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    configure_logging(args.log_level, args.log_format)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"dq-agent: {exc}", file=sys.stderr)
        return 2
    from agent.app import Agent

    async def main() -> None:
        await Agent(config, args.config).run_forever()

    from agent.store.lock import StoreLocked

    try:
        asyncio.run(main())
    except StoreLocked as exc:
        log.error("cannot start: %s", exc)
        return 1
    except OSError as exc:
        log.error("cannot start: %s", exc)
        return 1
    return 0
