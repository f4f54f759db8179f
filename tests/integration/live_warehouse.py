"""The warehouses, agent config and data breakages of the control-plane live test.

Two real warehouses: a DuckDB file holding ``orders`` (updated every second by the test, like a
loader), and a throw-away schema on the running PostgreSQL for everything else, because a
DuckDB file takes one writer at a time and the test writes while the agent reads. A third
warehouse points at a closed port: the agent cannot reach it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from tests.support.backends import Backend

ROOT = "raw_events"
DOWNSTREAM = [f"ds{i:02d}" for i in range(10)]
COLUMNS = [f"col{i}" for i in range(10)]
TEAMS = {name: ("sales" if i < 5 else "finance") for i, name in enumerate(DOWNSTREAM)}
ORDERS_MAX_AGE = 8.0


def storm_check(dataset: str, index: int) -> dict[str, Any]:
    """Check ``index`` of a downstream dataset: not_null on one column, half of them critical."""
    return {"type": "not_null", "column": COLUMNS[index], "name": f"{dataset}_c{index:02d}",
            "severity": "critical" if index < 5 else "warning"}


def agent_config(tmp: Path, port: int, duckdb_file: Path, pg: Backend, closed_port: int) -> Path:
    """Config of the one agent process: 16 datasets on three warehouses."""
    schema = pg.schema
    datasets: dict[str, Any] = {
        # Part 1: nulls, then no more updates (freshness check and SLA).
        "orders": {
            "warehouse": "demo", "table": "orders", "schedule": "1s", "team": "sales",
            "checks": [
                {"type": "not_null", "column": "customer_id", "severity": "critical",
                 "name": "orders_customer_not_null"},
                {"type": "freshness", "column": "updated_at", "max_age": f"{ORDERS_MAX_AGE:g}s",
                 "severity": "critical", "name": "orders_fresh"},
            ],
        },
        # The storm: one upstream, ten downstream views of it with ten checks each.
        ROOT: {
            "warehouse": "pg", "table": f"{schema}.{ROOT}", "schedule": "2s", "team": "ingest",
            "checks": [{"type": "not_null", "column": "col0", "severity": "critical",
                        "name": f"{ROOT}_c00"}],
        },
        # Quality score: nulls in most e-mails.
        "customers": {
            "warehouse": "pg", "table": f"{schema}.customers", "schedule": "2s",
            "team": "analytics",
            "checks": [{"type": "not_null", "column": "email", "name": "customers_email"}],
        },
        # Anomaly: a sudden jump in rows, which also breaks a critical row-count check.
        "events": {
            "warehouse": "pg", "table": f"{schema}.events", "schedule": "3s", "team": "analytics",
            "checks": [{"type": "row_count", "max": 1000, "severity": "critical",
                        "name": "events_rows"}],
            "anomaly": {"metrics": ["row_count", "events_rows"], "min_history": 5,
                        "training_window": 20, "seasonality": "none"},
        },
        # Schema drift: a column dropped (breaking) and one added (additive).
        "products": {
            "warehouse": "pg", "table": f"{schema}.products", "schedule": "2s",
            "team": "analytics",
            "checks": [{"type": "schema_drift", "name": "products_schema"}],
        },
        # A warehouse the agent cannot reach: its checks error.
        "lake_orders": {
            "warehouse": "lake", "table": "orders", "schedule": "2s", "team": "crm",
            "checks": [{"type": "row_count", "min": 1, "name": "lake_orders_rows"}],
        },
    }
    for name in DOWNSTREAM:
        datasets[name] = {
            "warehouse": "pg", "table": f"{schema}.{name}", "schedule": "2s",
            "team": TEAMS[name], "upstream": [ROOT],
            "checks": [storm_check(name, i) for i in range(len(COLUMNS))],
        }
    config = {
        "agent": {"listen": f"127.0.0.1:{port}", "state_dir": str(tmp / "state")},
        "warehouses": {
            "demo": {"url": f"duckdb:///{duckdb_file}"},
            "pg": {"url": pg.url},
            "lake": {"url": f"postgresql://dq@127.0.0.1:{closed_port}/lake",
                     "connect_timeout": "1s"},
        },
        "datasets": datasets,
    }
    path = tmp / "agent.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


# --- the DuckDB warehouse --------------------------------------------------------------------

def now_utc(at: float | None = None) -> str:
    """``at`` (default now) as a UTC timestamp literal, to the second."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))


def create_orders(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE orders (customer_id INTEGER, updated_at TIMESTAMP)")
    write_orders(path, [(i, now_utc()) for i in range(1, 100)])


def write_orders(path: Path, rows: list[tuple[int | None, str]]) -> None:
    """Insert rows, retrying while the agent holds the DuckDB file for a run."""
    for _ in range(100):
        try:
            with duckdb.connect(str(path)) as con:
                con.executemany("INSERT INTO orders VALUES (?, CAST(? AS TIMESTAMP))", rows)
            return
        except duckdb.IOException:
            time.sleep(0.05)
    raise AssertionError("could not write to the DuckDB warehouse")


# --- the PostgreSQL warehouse ----------------------------------------------------------------

def create_pg_tables(pg: Backend) -> None:
    s = pg.schema
    cols = ", ".join(f"{c} INTEGER" for c in COLUMNS)
    values = ", ".join(f"({i}, {', '.join(str(i) for _ in COLUMNS)})" for i in range(50))
    statements = [
        f"CREATE TABLE {s}.{ROOT} (id INTEGER, {cols})",
        f"INSERT INTO {s}.{ROOT} VALUES {values}",
        *(f"CREATE VIEW {s}.{name} AS SELECT * FROM {s}.{ROOT}" for name in DOWNSTREAM),
        f"CREATE TABLE {s}.customers (id INTEGER, email TEXT)",
        f"INSERT INTO {s}.customers SELECT g, 'c' || g || '@example.com' "
        "FROM generate_series(1, 100) g",
        f"CREATE TABLE {s}.events (id INTEGER)",
        f"INSERT INTO {s}.events SELECT g FROM generate_series(1, 100) g",
        f"CREATE TABLE {s}.products (id INTEGER, name TEXT, price DOUBLE PRECISION)",
        f"INSERT INTO {s}.products VALUES (1, 'tea', 2.5)",
    ]
    for statement in statements:
        pg.execute(statement)


@dataclass(frozen=True)
class Breakage:
    """One way of breaking the PostgreSQL data, and what it should raise."""

    name: str
    statements: tuple[str, ...]


def breakages(pg: Backend) -> list[Breakage]:
    s = pg.schema
    return [
        # One row of NULLs upstream: all 100 downstream checks and the root's own check fail.
        Breakage("storm", (f"INSERT INTO {s}.{ROOT} VALUES ({', '.join(['NULL'] * 11)})",)),
        # 150 of 250 e-mails NULL: quality score 0.4.
        Breakage("quality", (f"INSERT INTO {s}.customers SELECT g, NULL "
                             "FROM generate_series(101, 250) g",)),
        # 100 rows become 5000: a spike, and over the row-count check's 1000.
        Breakage("anomaly", (f"INSERT INTO {s}.events SELECT g FROM generate_series(101, 5000) g",)),
        # price removed (breaking), note added (additive).
        Breakage("schema", (f"ALTER TABLE {s}.products DROP COLUMN price",
                            f"ALTER TABLE {s}.products ADD COLUMN note TEXT")),
    ]
