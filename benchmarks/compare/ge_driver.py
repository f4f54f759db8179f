"""Runs the comparison suite with Great Expectations 1.x (SQL pushdown into PostgreSQL).

Run with the interpreter of the Great Expectations virtualenv:
    python ge_driver.py --dsn postgresql://postgres@127.0.0.1:5432/test [--ids ID,ID,...]
Prints one JSON document: per-expectation success, the statements sent and the seconds spent in
set-up (context, data source, suite) and in validation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import querylog
from suite import SCHEMA, TABLE, by_ids


def camel(expectation_type: str) -> str:
    return "".join(part.capitalize() for part in expectation_type.split("_"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--ids", help="comma-separated suite entries to run (default: all)")
    args = parser.parse_args()
    started = time.perf_counter()
    querylog.install()
    import great_expectations as gx

    imported = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    url = args.dsn.replace("postgresql://", "postgresql+psycopg2://", 1)
    source = context.data_sources.add_postgres(name="pg", connection_string=url)
    asset = source.add_table_asset(name=TABLE, table_name=TABLE, schema_name=SCHEMA)
    batch_definition = asset.add_batch_definition_whole_table("whole_table")
    suite = gx.ExpectationSuite(name="comparison")
    for item in by_ids(args.ids):
        expectation_class = getattr(gx.expectations, camel(item["expectation_type"]))
        suite.add_expectation(expectation_class(**item["kwargs"], meta={"id": item["id"]}))
    batch = batch_definition.get_batch()
    ready = time.perf_counter()
    statements_before = len(querylog.STATEMENTS)
    result = batch.validate(suite, result_format="BASIC")
    done = time.perf_counter()
    outcomes: dict[str, bool | None] = {}
    for item in result.results:
        ident = item.expectation_config.meta["id"]
        outcomes[ident] = None if item.exception_info.get("raised_exception") else bool(item.success)
    print(json.dumps({
        "tool": f"great_expectations {gx.__version__}",
        "results": outcomes,
        "import_seconds": imported - started,
        "setup_seconds": ready - imported,
        "validate_seconds": done - ready,
        "queries": len(querylog.STATEMENTS) - statements_before,
        "queries_total": len(querylog.STATEMENTS),
        "statements": querylog.STATEMENTS,
    }))


if __name__ == "__main__":
    main()
