"""``dq-agent profile --config FILE DATASET --format json|table``: profile a dataset now.

The profile and its sketches are stored in the history store (``--no-store`` to skip). Sampling,
incremental reading and pushdown follow the dataset's ``profile:`` settings; ``--full`` reads
every row, ``--sample 1%`` / ``--sample-rows N`` override the sampling for this run.
Exit code 0 on success, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.commands.config_access import load_or_report, report_unknown_datasets
from agent.logging_setup import configure_logging
from agent.profiling.config import parse_sample
from agent.profiling.profile import Profile
from agent.profiling.progress import Progress
from agent.profiling.reader import ProfilingError
from agent.profiling.render import render_table
from agent.profiling.service import effective_settings, run_profile
from agent.profiling.store import ProfileStore
from agent.sketches import SketchError
from agent.warehouses.errors import WarehouseError
from agent.warehouses.warehouse import Warehouse


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "profile", help="profile a dataset (sketches: distinct counts, quantiles, top values)"
    )
    parser.add_argument("dataset", help="name of a dataset in the config")
    parser.add_argument("--config", type=Path, required=True, help="YAML config file")
    parser.add_argument("--format", choices=["json", "table"], default="table")
    sampling = parser.add_mutually_exclusive_group()
    sampling.add_argument("--full", action="store_true",
                          help="read every row (ignore sampling and incremental settings)")
    sampling.add_argument("--sample", help="sample this share of rows, e.g. 1%%")
    sampling.add_argument("--sample-rows", type=int, help="sample about this many rows")
    parser.add_argument("--no-store", action="store_true", help="do not store the profile")
    parser.add_argument("--pin", action="store_true",
                        help="store it as the dataset's drift reference profile")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    parser.add_argument("--log-level", default="warning",
                        choices=["debug", "info", "warning", "error"])
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    config = load_or_report(args.config)
    if config is None or not report_unknown_datasets(config, [args.dataset], "dq-agent profile"):
        return 2
    dataset = config.datasets[args.dataset]
    if args.no_store and args.pin:
        print("dq-agent profile: --pin stores the profile; drop --no-store", file=sys.stderr)
        return 2
    try:
        settings = effective_settings(dataset, full=args.full)
        if args.sample is not None or args.sample_rows is not None:
            settings = settings.model_copy(update={
                "sample": parse_sample(args.sample), "sample_rows": args.sample_rows,
                "incremental": None,
            })
    except ValueError as exc:
        print(f"dq-agent profile: --sample: {exc}", file=sys.stderr)
        return 2
    if args.sample_rows is not None and args.sample_rows < 1:
        print("dq-agent profile: --sample-rows: expected a positive number of rows", file=sys.stderr)
        return 2
    warehouse_name = config.warehouse_of(args.dataset)
    warehouse = Warehouse(warehouse_name, config.warehouses[warehouse_name])
    store = None if args.no_store else ProfileStore.open(config.agent.store_url())
    progress = None if args.no_progress else _progress
    try:
        profile = run_profile(warehouse, store, args.dataset, dataset, settings,
                              progress=progress, pin=args.pin)
    except (WarehouseError, ProfilingError, SketchError, ValueError) as exc:
        print(f"dq-agent profile: dataset {args.dataset!r}: {exc}", file=sys.stderr)
        return 2
    finally:
        warehouse.close()
        if store is not None:
            store.close()
    print(render(profile, args.format))
    return 0


def _progress(label: str, total: int | None) -> Progress:
    return Progress(label, total)


def render(profile: Profile, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(profile.to_json(), indent=2, default=str)
    return render_table(profile)
