"""``dq-agent check --config FILE [--dataset NAME] --once --format json|table``, or
``dq-agent check --warehouse URL --rules PATH`` for rule files without a config.

Exit code 0 when every check passes (warnings allowed), 1 when some fail, 2 on errors, so a
pipeline can gate on it.

With a config, the runs are recorded in the config's history store (``--history URL`` for
another, ``--no-history`` to record nothing), like the daemon's: volume_change, schema_drift and
consecutive failures then compare with the last run of either.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from agent.checks.results import CheckResult, Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.commands import check_history
from agent.commands.config_access import load_or_report, report_unknown_datasets
from agent.config.models import Config
from agent.logging_setup import configure_logging
from agent.rules import command as rules_command
from agent.store.history import HistoryStore
from agent.store.previous import stored_previous
from agent.warehouses.warehouse import Warehouse


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check", help="run checks once and print the results (exit 0 pass, 1 fail, 2 error)"
    )
    parser.add_argument("--config", type=Path, help="YAML config file")
    parser.add_argument("--dataset", action="append", default=[],
                        help="only this dataset (repeatable)")
    parser.add_argument("--once", action="store_true", help="run once and exit (the default)")
    parser.add_argument("--format", choices=["json", "table"], default="table")
    parser.add_argument("--log-level", default="error",
                        choices=["debug", "info", "warning", "error"])
    rules_command.add_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    if args.config is None or args.list_expectations:
        return rules_command.handle_rules(args)
    config = load_or_report(args.config)
    if config is None or not report_unknown_datasets(config, args.dataset):
        return 2
    names = args.dataset or list(config.datasets)
    record = not args.no_history
    store = None
    if record or check_history.needs_history(config, names):
        try:
            store = check_history.open_store(args.history or config.agent.store_url())
        except check_history.HistoryUnavailable as exc:
            print(f"dq-agent: {exc}", file=sys.stderr)
            return 2
    try:
        runs = asyncio.run(run_once(config, names, store, record=record))
    finally:
        if store is not None:
            store.close()
    results = [result for run in runs for result in run.results]
    print(render_json(results) if args.format == "json" else render_table(results))
    return exit_code(results)


async def run_once(
    config: Config, names: list[str], store: HistoryStore | None = None, *, record: bool = False
) -> list[DatasetRun]:
    """Run the named datasets concurrently, each on its warehouse's pool. The previous results
    and schema snapshots come from ``store`` (without one: read from the config's store), and
    with ``record`` the runs are kept there."""
    if any(spec.type == "drift" for name in names for spec in config.datasets[name].check_specs()):
        # Drift checks compare with stored profiles: give them the agent's history store.
        from agent.profiling import references
        from agent.profiling.store import ProfileStore

        references.install(ProfileStore.open(store.url if store else config.agent.store_url()))
    if store is None:
        previous = stored_previous(config, names)
    else:
        previous = check_history.previous_of(store, config, names)
    warehouses = {name: Warehouse(name, wc) for name, wc in config.warehouses.items()}
    try:
        runners = [
            DatasetRunner(name, config.datasets[name], warehouses[config.warehouse_of(name)],
                          warehouses=warehouses, previous=previous.get(name))
            for name in names
        ]
        runs = list(await asyncio.gather(*(runner.run() for runner in runners)))
    finally:
        for warehouse in warehouses.values():
            warehouse.close()
    if store is None:
        return runs
    runs = [check_history.judged(store, run) for run in runs]
    if record:
        for run in runs:
            check_history.record(store, config, run)
    return runs


def exit_code(results: list[CheckResult]) -> int:
    statuses = {result.status for result in results}
    if Status.ERROR in statuses:
        return 2
    if Status.FAIL in statuses:
        return 1
    return 0


def render_json(results: list[CheckResult]) -> str:
    return json.dumps([result.to_json() for result in results], indent=2, default=str)


def render_table(results: list[CheckResult]) -> str:
    header = ("DATASET", "CHECK", "STATUS", "OBSERVED", "EXPECTED", "MESSAGE")
    rows = [header]
    for result in results:
        outcome = result.outcome
        expected = (
            str(outcome.expected_value) if outcome.expected_value is not None
            else f"[{_short(outcome.expected_min)}, {_short(outcome.expected_max)}]"
        )
        observed = ("~" if result.estimated else "") + _short(outcome.observed_value)
        rows.append((result.dataset, result.check, result.status.value.upper(),
                     observed, expected, result.error or outcome.message or ""))
    widths = [min(40, max(len(row[i]) for row in rows)) for i in range(len(header) - 1)]
    lines = ["  ".join(cell[:40].ljust(width) for cell, width in zip(row, widths, strict=False))
             + "  " + row[-1] for row in rows]
    samples = sorted({r.estimated_from for r in results if r.estimated_from is not None})
    if samples:
        lines.append(f"(~ estimated from a sample: {', '.join(samples)})")
    return "\n".join(lines)


def _short(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
