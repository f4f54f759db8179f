"""``dq-agent dbt import MANIFEST [--warehouse NAME] [--warehouse-url URL] [--schedule S]``:
print a dbt project's tests as dq-agent config YAML; skipped tests are listed on stderr and
as comments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.commands.config_yaml import config_yaml
from agent.config.models import DatasetConfig
from agent.dbt.convert import DbtImport, import_tests
from agent.dbt.manifest import ManifestError, load_manifest


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dbt", help="dbt projects: import the tests of a manifest.json as checks"
    )
    actions = parser.add_subparsers(dest="dbt_command", metavar="ACTION", required=True)
    importer = actions.add_parser("import", help="print a manifest's tests as config YAML")
    importer.add_argument("manifest", type=Path, help="target/manifest.json of a dbt project")
    importer.add_argument("--warehouse", metavar="NAME",
                          help="the configured warehouse the models live in")
    importer.add_argument("--warehouse-url", metavar="URL",
                          help="also print a warehouses section with this URL (a whole config)")
    importer.add_argument("--schedule", metavar="SCHEDULE",
                          help="schedule of the datasets: an interval (1h) or a cron expression")
    importer.set_defaults(handler=handle_import)


def handle_import(args: argparse.Namespace) -> int:
    try:
        manifest = load_manifest(args.manifest)
    except ManifestError as exc:
        print(f"dq-agent: {exc}", file=sys.stderr)
        return 2
    imported = import_tests(manifest, args.warehouse, args.schedule)
    problems = _invalid(imported)
    if problems:
        print("dq-agent: the imported checks are not valid:\n" + "\n".join(problems),
              file=sys.stderr)
        return 2
    for unique_id, reason in imported.skipped:
        print(f"dq-agent: warning: skipped {unique_id}: {reason}", file=sys.stderr)
    header = [f"imported from {args.manifest}: {imported.imported} dbt tests as checks on "
              f"{len(imported.datasets)} datasets, {len(imported.skipped)} skipped"]
    header += [f"  skipped {unique_id}: {reason}" for unique_id, reason in imported.skipped]
    print(config_yaml(imported.datasets, warehouse=args.warehouse, url=args.warehouse_url,
                      header="\n".join(header)), end="")
    return 0


def _invalid(imported: DbtImport) -> list[str]:
    problems = []
    for name, data in imported.datasets.items():
        try:
            DatasetConfig.model_validate(data)
        except ValidationError as exc:
            problems += [f"  datasets.{name}: {'.'.join(map(str, e['loc']))}: {e['msg']}"
                         for e in exc.errors(include_url=False)]
    return problems
