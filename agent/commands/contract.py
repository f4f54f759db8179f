"""``dq-agent contract compile FILE [--warehouse NAME] [--warehouse-url URL]``: print the checks a
data contract compiles into, as config YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.commands.config_yaml import config_yaml
from agent.contracts.compile import ContractError, compile_contract, load_contract, validated


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "contract", help="data contracts: print the checks a contract compiles into"
    )
    actions = parser.add_subparsers(dest="contract_command", metavar="ACTION", required=True)
    compile_parser = actions.add_parser("compile", help="print a contract's checks as config YAML")
    compile_parser.add_argument("file", type=Path, help="contract YAML file")
    compile_parser.add_argument("--warehouse", metavar="NAME",
                                help="the configured warehouse the dataset lives in")
    compile_parser.add_argument("--warehouse-url", metavar="URL",
                                help="also print a warehouses section with this URL (a whole "
                                     "config)")
    compile_parser.set_defaults(handler=handle_compile)


def handle_compile(args: argparse.Namespace) -> int:
    try:
        contract, source = load_contract(args.file)
        data = compile_contract(contract, args.warehouse)
        validated(contract, source, data)
    except ContractError as exc:
        print(f"dq-agent: {exc}", file=sys.stderr)
        return 2
    warehouse = args.warehouse or contract.warehouse
    header = f"compiled from {args.file}: contract {contract.dataset} v{contract.version}"
    print(config_yaml({contract.dataset: data}, warehouse=warehouse, url=args.warehouse_url,
                      header=header), end="")
    return 0
