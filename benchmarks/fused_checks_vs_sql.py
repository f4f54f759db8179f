"""Fused checks against the hand-written SQL that computes the same aggregates (PostgreSQL).

    python benchmarks/fused_checks_vs_sql.py [--rows 10000000] [--repeat 3]

Builds a table of ``--rows`` rows in schema ``dq_bench`` on the PostgreSQL at $DQ_BENCH_PG_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test), declares 20 column checks on it, and
times, in the same run and alternating to share the machine's noise:
  baseline   one hand-written SELECT computing the same aggregates, through psycopg directly;
  in-process the agent's runner (plan, fused query, evaluation);
  cli        `dq-agent check --once --format json` as a process (startup included).
Prints the medians and the ratio against the baseline (target: in-process <= 1.2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import yaml

from agent.checks.runner import DatasetRunner
from agent.config.loader import load_config
from agent.warehouses.warehouse import Warehouse

URL = os.environ.get("DQ_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA, TABLE = "dq_bench", "events"

CHECKS = [
    {"type": "row_count", "min": 1},
    *({"type": "not_null", "column": c} for c in ("id", "user_id", "amount", "status", "email",
                                                    "country", "score", "created_at")),
    {"type": "unique", "column": "id"},
    {"type": "unique", "column": "email", "mostly": 0.5},
    {"type": "accepted_values", "column": "status", "values": ["new", "paid", "shipped", "void"]},
    {"type": "accepted_values", "column": "country", "values": ["DE", "FR", "GB", "US", "NL"]},
    {"type": "range", "column": "amount", "min": 0, "max": 1000},
    {"type": "range", "column": "score", "min": 0, "max": 1, "mostly": 0.9},
    {"type": "range", "column": "user_id", "min": 0, "max": 1000000},
    {"type": "regex", "column": "email", "pattern": "^[a-z0-9]+@example[.]com$"},
    {"type": "regex", "column": "country", "pattern": "^[A-Z]{2}$", "name": "country_code"},
    {"type": "freshness", "column": "created_at", "max_age": "30d"},
    {"type": "not_null", "column": "note", "mostly": 0.1},
]

HAND_WRITTEN = f"""
SELECT count(*), count(id), count(user_id), count(amount), count(status), count(email),
       count(country), count(score), count(created_at),
       count(DISTINCT id), count(DISTINCT email),
       sum(CASE WHEN status NOT IN ('new', 'paid', 'shipped', 'void') THEN 1 ELSE 0 END),
       sum(CASE WHEN country NOT IN ('DE', 'FR', 'GB', 'US', 'NL') THEN 1 ELSE 0 END),
       sum(CASE WHEN amount < 0 OR amount > 1000 THEN 1 ELSE 0 END), min(amount), max(amount),
       sum(CASE WHEN score < 0 OR score > 1 THEN 1 ELSE 0 END), min(score), max(score),
       sum(CASE WHEN user_id < 0 OR user_id > 1000000 THEN 1 ELSE 0 END), min(user_id), max(user_id),
       sum(CASE WHEN NOT (CAST(email AS VARCHAR) ~ '^[a-z0-9]+@example[.]com$') THEN 1 ELSE 0 END),
       sum(CASE WHEN NOT (CAST(country AS VARCHAR) ~ '^[A-Z]{{2}}$') THEN 1 ELSE 0 END),
       max(created_at), count(note)
FROM {SCHEMA}.{TABLE}
"""


def dsn() -> str:
    return URL.replace("postgresql+psycopg://", "postgresql://")


def build_table(rows: int) -> None:
    with psycopg.connect(dsn(), autocommit=True) as connection:
        existing = connection.execute(
            "SELECT reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s", (SCHEMA, TABLE)).fetchone()
        if existing and abs(existing[0] - rows) < rows * 0.01:
            print(f"reusing {SCHEMA}.{TABLE} (~{existing[0]:,} rows)")
            return
        print(f"building {SCHEMA}.{TABLE} with {rows:,} rows ...", flush=True)
        started = time.perf_counter()
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {SCHEMA}")
        connection.execute(f"""
            CREATE UNLOGGED TABLE {SCHEMA}.{TABLE} AS
            SELECT i AS id, (i * 7919) % 1000003 AS user_id,
                   CASE WHEN i % 997 = 0 THEN -1.0 ELSE (i % 100000) / 100.0 END AS amount,
                   (ARRAY['new', 'paid', 'shipped', 'void'])[1 + i % 4] AS status,
                   'user' || (i % 5000000) || '@example.com' AS email,
                   (ARRAY['DE', 'FR', 'GB', 'US', 'NL'])[1 + i % 5] AS country,
                   (i % 1000) / 1000.0 AS score,
                   now() - make_interval(secs => i % 86400) AS created_at,
                   CASE WHEN i % 3 = 0 THEN 'n' END AS note
            FROM generate_series(1::bigint, {rows}) AS s(i)
        """)
        connection.execute(f"ANALYZE {SCHEMA}.{TABLE}")
        print(f"built in {time.perf_counter() - started:.1f}s", flush=True)


def time_baseline() -> float:
    with psycopg.connect(dsn()) as connection:
        started = time.perf_counter()
        connection.execute(HAND_WRITTEN).fetchone()
        return time.perf_counter() - started


def write_config(directory: Path) -> Path:
    path = directory / "bench.yaml"
    path.write_text(yaml.safe_dump({
        "warehouses": {"pg": {"url": URL, "statement_timeout": "10m"}},
        "datasets": {"events": {"table": f"{SCHEMA}.{TABLE}", "checks": CHECKS}},
    }))
    return path


def time_in_process(config_path: Path) -> tuple[float, int]:
    config = load_config(config_path)

    async def run() -> tuple[float, int]:
        warehouse = Warehouse("pg", config.warehouses["pg"])
        try:
            await warehouse.ping()  # connection set-up is not part of either measurement
            started = time.perf_counter()
            result = await DatasetRunner("events", config.datasets["events"], warehouse).run()
            return time.perf_counter() - started, result.queries
        finally:
            warehouse.close()

    return asyncio.run(run())


def time_cli(config_path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "agent.cli", "check", "--config", str(config_path),
                    "--once", "--format", "json"], capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    build_table(args.rows)
    with tempfile.TemporaryDirectory() as directory:
        config_path = write_config(Path(directory))
        time_baseline()  # warm the buffer cache for both sides
        baseline, fused, cli, queries = [], [], [], 0
        for _ in range(args.repeat):
            baseline.append(time_baseline())
            seconds, queries = time_in_process(config_path)
            fused.append(seconds)
            cli.append(time_cli(config_path))
    b, f, c = (statistics.median(x) for x in (baseline, fused, cli))
    print(f"rows: {args.rows:,}  checks: {len(CHECKS)}  agent queries per run: {queries}")
    print(f"hand-written SQL (baseline): {b:.3f}s  (runs: {', '.join(f'{x:.3f}' for x in baseline)})")
    print(f"dq-agent in-process run:     {f:.3f}s  ratio {f / b:.3f}  (target <= 1.2)")
    print(f"dq-agent check CLI process:  {c:.3f}s  ratio {c / b:.3f}  (includes interpreter start)")


if __name__ == "__main__":
    main()
