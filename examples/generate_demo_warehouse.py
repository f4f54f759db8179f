"""Build the demo DuckDB warehouse: a few tables with deliberate data-quality problems.

    python examples/generate_demo_warehouse.py examples/demo.duckdb

customers: duplicate ids, malformed e-mails, unknown country codes.
orders:    NULL customer ids, negative amounts; fresh (newest row is a minute old).
events:    a stale table: its newest row is three days old.
payments:  clean: every check on it passes.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import duckdb

TABLES = {
    "customers": """
        CREATE TABLE customers AS
        SELECT
            CASE WHEN i % 997 = 0 THEN i - 1 ELSE i END AS customer_id,
            CASE WHEN i % 211 = 0 THEN 'customer' || i || '_at_example.com'
                 ELSE 'customer' || i || '@example.com' END AS email,
            CASE WHEN i % 503 = 0 THEN 'XX'
                 ELSE ['DE', 'FR', 'GB', 'US', 'NL'][1 + (i % 5)::INTEGER] END AS country,
            $now - to_seconds(i * 60) AS created_at
        FROM range(100000) AS r(i)
    """,
    "orders": """
        CREATE TABLE orders AS
        SELECT
            i AS order_id,
            CASE WHEN i % 50 = 0 THEN NULL ELSE (i * 7919) % 100000 END AS customer_id,
            CASE WHEN i % 333 = 0 THEN -ROUND(random() * 100, 2)
                 ELSE ROUND(1 + random() * 500, 2) END AS amount,
            ['placed', 'shipped', 'delivered', 'returned'][1 + (i % 4)::INTEGER] AS status,
            $now - to_seconds(60 + (300000 - i) * 5) AS ordered_at
        FROM range(300000) AS r(i)
    """,
    "events": """
        CREATE TABLE events AS
        SELECT
            i AS event_id,
            'event_' || (i % 20) AS event_type,
            $now - INTERVAL 3 DAY - to_seconds(i * 30) AS event_time
        FROM range(50000) AS r(i)
    """,
    "payments": """
        CREATE TABLE payments AS
        SELECT
            i AS payment_id,
            i % 300000 AS order_id,
            ROUND(1 + (i % 1000) / 2.0, 2) AS amount,
            ['card', 'transfer', 'wallet'][1 + (i % 3)::INTEGER] AS method,
            $now - to_seconds(30 + i) AS paid_at
        FROM range(80000) AS r(i)
    """,
}


def generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC timestamps
    with duckdb.connect(str(path)) as connection:
        connection.execute("SELECT setseed(0.42)")
        for name, statement in TABLES.items():
            connection.execute(statement, {"now": now})
            rows = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            print(f"{name}: {rows[0] if rows else 0} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, nargs="?", default=Path("examples/demo.duckdb"))
    generate(parser.parse_args().path)


if __name__ == "__main__":
    main()
