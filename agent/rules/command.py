"""``dq-agent check --warehouse [NAME=]URL... --rules PATH [--once] [--format json|table]``: run
rule files with no main config. Prints one rule-run JSON per rule (a list for several)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from agent.checks.registry import check_types
from agent.config.models import AgentConfig, WarehouseConfig
from agent.rules.aliases import ALIASES
from agent.rules.convert import RuleError
from agent.rules.history import record_rule_run, without_store
from agent.rules.loader import LocatedRule, load_located_rules
from agent.rules.models import RuleFile
from agent.rules.report import rule_run_json
from agent.rules.runner import RuleRun, run_rule
from agent.rules.warehouse_args import DEFAULT_NAME, WarehouseArgumentError, parse_warehouses
from agent.rules.warehouse_refs import unknown_warehouses
from agent.store.history import HistoryStore
from agent.warehouses.warehouse import Warehouse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", metavar="[NAME=]URL", action="append", default=[],
                        help="SQLAlchemy URL of a warehouse (with --rules, no config needed); "
                             "repeatable as NAME=URL for rules and expectations that name "
                             f"warehouses; a bare URL is named {DEFAULT_NAME!r}; the first one "
                             "given is the default")
    parser.add_argument("--rules", type=Path, action="append", default=[], metavar="PATH",
                        help="rule file or directory of rule files (repeatable)")
    parser.add_argument("--history", metavar="URL", default=None,
                        help="history store URL for runs and rule versions (default: the "
                             "config's store; with --rules: SQLite in the state directory)")
    parser.add_argument("--no-history", action="store_true",
                        help="do not record the runs (with --config, checks that compare with "
                             "the previous run still read it)")
    parser.add_argument("--list-expectations", action="store_true",
                        help="print the expectation types and aliases rule files may use")


def list_expectations() -> str:
    types = sorted(name for name in check_types() if name.startswith("expect_")
                   or name == "unexpected_rows_expectation")
    aliases = [f"{alias} -> {target}" for alias, target in sorted(ALIASES.items())]
    return "\n".join(["expectation types:", *types, "", "aliases:", *aliases])


def handle_rules(args: argparse.Namespace) -> int:
    if args.list_expectations:
        print(list_expectations())
        return 0
    if not args.warehouse or not args.rules:
        print("dq-agent: give both --warehouse URL and --rules PATH (or --config FILE)",
              file=sys.stderr)
        return 2
    try:
        warehouses = parse_warehouses(args.warehouse)
        located = load_located_rules(*args.rules)
        check_warehouses(located, warehouses)
    except (RuleError, WarehouseArgumentError) as exc:
        print(f"dq-agent: {exc}", file=sys.stderr)
        return 2
    rules = [located_rule.rule for located_rule in located]
    store = None
    if not args.no_history:
        store = HistoryStore(args.history or AgentConfig().store_url())
    try:
        runs = asyncio.run(run_rules(rules, warehouses, store))
    finally:
        if store is not None:
            store.close()
    print(render(runs, args.format))
    return rules_exit_code(runs)


def check_warehouses(located: list[LocatedRule], warehouses: dict[str, WarehouseConfig]) -> None:
    """Every warehouse a rule names must be given; RuleError names each file:line and the fix."""
    given = ", ".join(warehouses)
    problems = [
        f"{reference.describe(located_rule.rule.rule_id)}, which no --warehouse gives; add "
        f"--warehouse {reference.name}=URL (given: {given})"
        for located_rule in located
        for reference in unknown_warehouses(located_rule, warehouses)
    ]
    if problems:
        raise RuleError("\n".join(problems))


async def run_rules(
    rules: list[RuleFile], warehouses: dict[str, WarehouseConfig], store: HistoryStore | None
) -> list[RuleRun]:
    """Run every rule once, concurrently, each on its warehouse (the first one by default);
    the warehouses they name must be among ``warehouses`` (see :func:`check_warehouses`)."""
    opened = {name: Warehouse(name, config) for name, config in warehouses.items()}
    default = next(iter(opened))
    try:
        runs = await asyncio.gather(*(
            run_rule(rule, opened[rule.warehouse or default], warehouses=opened)
            for rule in rules
        ))
    finally:
        for warehouse in opened.values():
            warehouse.close()
    if store is None:
        return [without_store(run) for run in runs]
    return [record_rule_run(store, run) for run in runs]


def render(runs: list[RuleRun], fmt: str) -> str:
    if fmt == "json":
        documents = [rule_run_json(run) for run in runs]
        return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2,
                          default=str)
    lines = []
    for run in runs:
        lines.append(f"{run.rule.rule_id} ({run.rule.dataset}): "
                     f"{'success' if run.success else 'failure'}")
        for result in run.results:
            message = result.error or result.outcome.message or ""
            lines.append(f"  {result.status.value.upper():5} {result.check}  {message}")
    return "\n".join(lines)


def rules_exit_code(runs: list[RuleRun]) -> int:
    statuses = {result.status.value for run in runs for result in run.results}
    if "error" in statuses:
        return 2
    return 1 if "fail" in statuses else 0
