"""``dq-agent suggest --config FILE DATASET``: checks inferred from the dataset's profile, as
config YAML with a confidence per check.

Uses the newest stored profile (``dq-agent profile`` or scheduled profiles); without one, or
with ``--fresh``, profiles the dataset first (and stores that profile unless ``--no-store``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.commands.config_access import load_or_report, report_unknown_datasets
from agent.logging_setup import configure_logging
from agent.profiling.reader import ProfilingError
from agent.profiling.service import effective_settings, run_profile
from agent.profiling.store import ProfileStore
from agent.profiling.suggest import history_context, render_yaml, suggest
from agent.sketches import SketchError
from agent.warehouses.errors import WarehouseError
from agent.warehouses.warehouse import Warehouse

HISTORY_PROFILES = 30


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "suggest", help="suggest checks from a dataset's profile (YAML with confidences)"
    )
    parser.add_argument("dataset", help="name of a dataset in the config")
    parser.add_argument("--config", type=Path, required=True, help="YAML config file")
    parser.add_argument("--fresh", action="store_true", help="profile now instead of using the stored one")
    parser.add_argument("--no-store", action="store_true", help="do not store a fresh profile")
    parser.add_argument("--min-confidence", type=float, default=0.0,
                        help="leave out suggestions below this confidence (0-1)")
    parser.add_argument("--log-level", default="warning",
                        choices=["debug", "info", "warning", "error"])
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    if not 0.0 <= args.min_confidence <= 1.0:
        print("dq-agent suggest: --min-confidence: expected a number between 0 and 1", file=sys.stderr)
        return 2
    config = load_or_report(args.config)
    if config is None or not report_unknown_datasets(config, [args.dataset], "dq-agent suggest"):
        return 2
    dataset = config.datasets[args.dataset]
    store = ProfileStore.open(config.agent.store_url())
    try:
        stored = None if args.fresh else store.latest(args.dataset)
        if stored is not None:
            profile = stored.profile
        else:
            warehouse_name = config.warehouse_of(args.dataset)
            warehouse = Warehouse(warehouse_name, config.warehouses[warehouse_name])
            try:
                profile = run_profile(warehouse, None if args.no_store else store, args.dataset,
                                      dataset, effective_settings(dataset))
            except (WarehouseError, ProfilingError, SketchError, ValueError) as exc:
                print(f"dq-agent suggest: dataset {args.dataset!r}: {exc}", file=sys.stderr)
                return 2
            finally:
                warehouse.close()
        history = [p.profile for p in store.recent(args.dataset, HISTORY_PROFILES)]
    finally:
        store.close()
    if not any(p.profile_id == profile.profile_id for p in history):
        history.append(profile)
    suggestions = suggest(profile, history_context(history))
    print(render_yaml(args.dataset, dataset, profile, suggestions, args.min_confidence), end="")
    return 0
