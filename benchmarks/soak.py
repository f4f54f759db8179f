"""Soak: one agent, 1,000 datasets x 10 checks on a fast schedule against DuckDB.

    python benchmarks/soak.py [--datasets 1000] [--duration 600] [--interval 30]

Starts `dq-agent run` as its own process, lets it warm up for a minute, then samples its resident
memory (from /proc) and the sum of dq_check_runs_total from /metrics. Prints memory at start and
end (target: growth under 10%) and the sustained checks per second (target: at least 100/s).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.components import free_port

TABLES = 50


def build_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as connection:
        for t in range(TABLES):
            connection.execute(f"""
                CREATE TABLE t{t} AS SELECT i AS id, 'v' || (i % 7) AS kind,
                       CASE WHEN i % 100 = 0 THEN NULL ELSE i * 1.5 END AS amount,
                       now()::TIMESTAMP - to_seconds(i) AS ts
                FROM range(1000) r(i)""")


def checks() -> list[dict[str, object]]:
    return [
        {"type": "row_count", "min": 1},
        {"type": "not_null", "column": "id"},
        {"type": "not_null", "column": "amount", "mostly": 0.95},
        {"type": "unique", "column": "id"},
        {"type": "accepted_values", "column": "kind", "values": [f"v{i}" for i in range(7)]},
        {"type": "range", "column": "amount", "min": 0, "max": 10000},
        {"type": "range", "column": "id", "min": 0, "max": 999, "name": "id_range"},
        {"type": "regex", "column": "kind", "pattern": "^v[0-9]$"},
        {"type": "freshness", "column": "ts", "max_age": "1d"},
        {"type": "unique", "column": "kind", "name": "kind_unique", "severity": "info"},
    ]


def write_config(directory: Path, datasets: int, interval: int, port: int) -> Path:
    warehouse = directory / "soak.duckdb"
    build_warehouse(warehouse)
    config = {
        "agent": {"listen": f"127.0.0.1:{port}", "state_dir": str(directory / "state"),
                  "retention": "15m"},
        "warehouses": {"duck": {"url": f"duckdb:///{warehouse}", "max_concurrency": 4}},
        "datasets": {
            f"ds{d:04d}": {"table": f"t{d % TABLES}", "schedule": f"{interval}s",
                           "jitter": f"{max(1, interval // 2)}s", "checks": checks()}
            for d in range(datasets)
        },
    }
    path = directory / "soak.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def checks_run(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("dq_check_runs_total{"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--interval", type=int, default=30)
    parser.add_argument("--warmup", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        config = write_config(Path(tmp), args.datasets, args.interval, port)
        agent = subprocess.Popen([sys.executable, "-m", "agent.cli", "run", "--config", str(config),
                                  "--log-level", "warning"], stderr=subprocess.DEVNULL)
        try:
            time.sleep(args.warmup)
            start_rss, start_runs, started = rss_bytes(agent.pid), checks_run(port), time.time()
            print(f"after {args.warmup:.0f}s warm-up: RSS {start_rss / 2**20:.1f} MiB, "
                  f"{start_runs:.0f} checks run", flush=True)
            samples = []
            while time.time() - started < args.duration:
                time.sleep(min(60.0, args.duration))
                samples.append((time.time() - started, rss_bytes(agent.pid), checks_run(port)))
                elapsed, rss, runs = samples[-1]
                print(f"t+{elapsed:5.0f}s RSS {rss / 2**20:7.1f} MiB  "
                      f"{(runs - start_runs) / elapsed:7.1f} checks/s", flush=True)
            elapsed, end_rss, end_runs = samples[-1]
        finally:
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=120)
    demand = args.datasets * 10 / args.interval
    growth = (end_rss - start_rss) / start_rss * 100
    print(f"datasets {args.datasets} x 10 checks every {args.interval}s "
          f"(demand {demand:.0f} checks/s), {os.cpu_count()} cores")
    print(f"resident memory: start {start_rss / 2**20:.1f} MiB, end {end_rss / 2**20:.1f} MiB, "
          f"growth {growth:+.1f}% (target < 10%)")
    print(f"sustained: {(end_runs - start_runs) / elapsed:.1f} checks/s over {elapsed:.0f}s "
          f"(target >= 100); agent exit code {agent.returncode}")


if __name__ == "__main__":
    main()
