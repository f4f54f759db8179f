"""Runs the comparison suite with Soda Core (its postgres data source).

Run with the interpreter of the Soda virtualenv:
    python soda_driver.py --dsn postgresql://postgres@127.0.0.1:5432/test [--ids ID,ID,...]
Each Great Expectations-style expectation of the suite becomes the SodaCL check with the same
verdict; prints one JSON document like the Great Expectations driver.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import querylog
from suite import SCHEMA, TABLE, by_ids


def q(value: Any) -> str:
    """A YAML scalar (JSON is YAML)."""
    return json.dumps(value)


def percent_left(mostly: float) -> float:
    """The largest share of rows (in percent) that may fail under ``mostly``."""
    return round((1.0 - mostly) * 100.0, 6)


def validity(metric: str, column: str, mostly: float) -> str:
    """``invalid_count(col) = 0``, or the invalid share under ``mostly`` (Soda: of all rows)."""
    if mostly >= 1.0:
        return f"{metric}_count({column}) = 0"
    return f"{metric}_percent({column}) <= {percent_left(mostly)}"


def soda_check(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SodaCL check (its line and its configuration) of one suite expectation."""
    kind, kw = item["expectation_type"], item["kwargs"]
    column, mostly = kw.get("column"), float(kw.get("mostly", 1.0))
    between = f"between {kw.get('min_value')} and {kw.get('max_value')}"
    config: dict[str, Any] = {}
    if kind == "expect_table_row_count_to_be_between":
        line = f"row_count {between}"
    elif kind == "expect_column_values_to_not_be_null":
        line = validity("missing", column, mostly)
    elif kind == "expect_column_values_to_be_unique":
        line = f"duplicate_count({column}) = 0"
    elif kind == "expect_column_values_to_be_in_set":
        line, config = validity("invalid", column, mostly), {"valid values": kw["value_set"]}
    elif kind == "expect_column_values_to_not_be_in_set":
        line, config = validity("invalid", column, mostly), {"invalid values": kw["value_set"]}
    elif kind == "expect_column_values_to_match_regex":
        line, config = validity("invalid", column, mostly), {"valid regex": kw["regex"]}
    elif kind == "expect_column_values_to_be_between":
        line = validity("invalid", column, mostly)
        config = {"valid min": kw["min_value"], "valid max": kw["max_value"]}
    elif kind == "expect_column_value_lengths_to_be_between":
        line = validity("invalid", column, mostly)
        config = {"valid min length": kw["min_value"], "valid max length": kw["max_value"]}
    elif kind in ("expect_column_min_to_be_between", "expect_column_max_to_be_between",
                  "expect_column_mean_to_be_between", "expect_column_stdev_to_be_between",
                  "expect_column_sum_to_be_between"):
        metric = {"min": "min", "max": "max", "mean": "avg", "stdev": "stddev", "sum": "sum"}[
            kind.split("_")[2]]
        line = f"{metric}({column}) {between}"
    elif kind == "expect_column_unique_value_count_to_be_between":
        # soda-core 3.x has no built-in distinct metric: a user-defined one, as its own query
        # (an expression metric would put COUNT(DISTINCT) into Soda's main aggregate query).
        metric = f"{item['id']}_metric"
        line = f"{metric} {between}"
        config = {f"{metric} query": f"SELECT COUNT(DISTINCT {column}) FROM {TABLE}"}
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kw["column_A"], kw["column_B"]
        operator = ">=" if kw.get("or_equal") else ">"
        line = "failed rows"
        config = {"fail condition": f"NOT ({a} {operator} {b})"}
    else:
        raise SystemExit(f"soda_driver: no SodaCL translation for {kind}")
    return line, {"name": item["id"], **config}


def checks_yaml(items: list[dict[str, Any]]) -> str:
    lines = [f"checks for {TABLE}:"]
    for item in items:
        line, config = soda_check(item)
        lines.append(f"  - {line}:")
        lines.extend(f"      {key}: {q(value)}" for key, value in config.items())
    return "\n".join(lines) + "\n"


def data_source_yaml(dsn: str) -> str:
    parts = urlsplit(dsn)
    return "\n".join([
        "data_source pg:",
        "  type: postgres",
        f"  host: {parts.hostname or '127.0.0.1'}",
        f"  port: {parts.port or 5432}",
        f"  username: {parts.username or 'postgres'}",
        f"  password: {q(parts.password or '')}",
        f"  database: {parts.path.lstrip('/') or 'postgres'}",
        f"  schema: {SCHEMA}",
    ]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--ids", help="comma-separated suite entries to run (default: all)")
    parser.add_argument("--print-checks", action="store_true", help="print the SodaCL and exit")
    args = parser.parse_args()
    if args.print_checks:
        print(checks_yaml(by_ids(args.ids)))
        return
    started = time.perf_counter()
    querylog.install()
    from soda.__version__ import SODA_CORE_VERSION
    from soda.scan import Scan

    imported = time.perf_counter()
    scan = Scan()
    scan.set_scan_definition_name("comparison")
    scan.set_data_source_name("pg")
    scan.add_configuration_yaml_str(data_source_yaml(args.dsn))
    scan.add_sodacl_yaml_str(checks_yaml(by_ids(args.ids)))
    ready = time.perf_counter()
    scan.execute()
    done = time.perf_counter()
    outcomes: dict[str, bool | None] = {}
    for check in scan.get_scan_results().get("checks", []):
        outcome = check.get("outcome")
        outcomes[check["name"]] = None if outcome not in ("pass", "fail") else outcome == "pass"
    errors = scan.get_error_logs_text() if scan.has_error_logs() else None
    print(json.dumps({
        "tool": f"soda-core {SODA_CORE_VERSION}",
        "results": outcomes,
        "import_seconds": imported - started,
        "setup_seconds": ready - imported,
        "validate_seconds": done - ready,
        "queries": len(querylog.STATEMENTS),
        "queries_total": len(querylog.STATEMENTS),
        "statements": querylog.STATEMENTS,
        "errors": errors,
    }))


if __name__ == "__main__":
    main()
