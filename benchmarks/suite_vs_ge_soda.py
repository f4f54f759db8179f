"""dq-agent against Great Expectations 1.x and Soda Core: the same 30 expectations, same table.

    python benchmarks/suite_vs_ge_soda.py [--rows 5000000] [--repeat 3] [--venv-dir DIR]
        [--without KIND,...] [--kinds KIND,...] [--profile]

Builds (or reuses) a ``--rows`` table ``bench_compare.orders`` on the PostgreSQL at
$DQ_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) and runs the suite of
``benchmarks/compare/suite.py`` with, in the same run and in rotating order:
  dq-agent   `dq-agent check --warehouse URL --rules FILE --once --format json` as a process,
             and its in-process rule run (plan, fused query, unexpected values);
  GE         Great Expectations 1.x, SQL data source (queries pushed down into PostgreSQL);
  Soda       Soda Core with its postgres data source.
Great Expectations and Soda are not dependencies of dq-agent: each is installed into its own
virtualenv under ``--venv-dir`` (default benchmarks/, as .venv-ge and .venv-soda) on first use and
runs as a driver process (benchmarks/compare/*_driver.py). Every tool's verdict per expectation is
compared with the others and with the verdict the data is built to give; disagreements are
printed. Reports the median wall time of each process (interpreter start included), the time
inside validation alone, the statements each tool sent, and the ratios GE / dq-agent (target
>= 10) and Soda / dq-agent (target >= 2).

``--without regex,unique`` (or ``--kinds KIND,...``) runs every tool on the same part of the suite,
chosen by the ``kind`` each entry of suite.py declares, e.g. to time the suite without its
per-row regular expressions and its GROUP BY uniqueness checks. ``--profile`` adds, per tool, the
database time of its statements grouped by what they compute, then each statement with its time.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "compare"))

from server_cpu import postgres_cpu_seconds  # noqa: E402
from statements import grouped  # noqa: E402
from suite import CREATE_TABLE, KINDS, SCHEMA, SUITE, TABLE, select  # noqa: E402

URL = os.environ.get("DQ_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
VENVS = {
    "ge": ("great_expectations>=1,<2", "sqlalchemy>=2", "psycopg2-binary"),
    "soda": ("soda-core-postgres>=3,<4",),
}


def dsn() -> str:
    return URL.replace("postgresql+psycopg://", "postgresql://")


@dataclass
class Run:
    """One run of one tool: wall time of the process or call, validation time, verdicts."""

    wall: float
    validate: float
    queries: int
    results: dict[str, bool | None]
    version: str = ""
    statements: list[tuple[float, str]] = field(default_factory=list)  # (seconds, SQL)
    client_cpu: float = 0.0  # user + system CPU seconds of the tool's own process
    server_cpu: float | None = None  # of the PostgreSQL server, when it runs on this machine


@dataclass
class Tool:
    name: str
    runner: Callable[[], Run]
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)

    def median_cpu(self) -> float | None:
        """Median over the runs of the CPU the tool and the database spent together."""
        if any(run.server_cpu is None for run in self.runs):
            return None
        return statistics.median(run.client_cpu + (run.server_cpu or 0.0) for run in self.runs)


def children_cpu() -> float:
    """User plus system CPU seconds of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``command`` run to completion: the process, its wall time and its CPU seconds."""
    cpu = children_cpu()
    started = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    return process, time.perf_counter() - started, children_cpu() - cpu


def measured(tool: Tool) -> Run:
    """One run of ``tool`` with the database server's CPU around it."""
    before = postgres_cpu_seconds()
    run = tool.runner()
    after = postgres_cpu_seconds()
    if before is not None and after is not None:
        run.server_cpu = after - before
    return run


# -- the table and the tools' environments ---------------------------------------------------------


def build_table(rows: int) -> None:
    with psycopg.connect(dsn(), autocommit=True) as connection:
        exists = connection.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{TABLE}",)).fetchone()
        if exists and exists[0] is not None:
            count = connection.execute(f"SELECT count(*) FROM {SCHEMA}.{TABLE}").fetchone()
            if count and count[0] == rows:
                print(f"reusing {SCHEMA}.{TABLE} ({rows:,} rows)")
                return
        print(f"building {SCHEMA}.{TABLE} with {rows:,} rows ...", flush=True)
        started = time.perf_counter()
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {SCHEMA}")
        connection.execute(CREATE_TABLE.format(rows=rows))
        connection.execute(f"VACUUM ANALYZE {SCHEMA}.{TABLE}")
        print(f"built in {time.perf_counter() - started:.1f}s", flush=True)


def venv_python(venv_dir: Path, name: str) -> Path:
    """The interpreter of the tool's own virtualenv, created and filled on first use."""
    root = venv_dir / f".venv-{name}"
    python = root / "bin" / "python"
    marker = root / ".installed"
    if not marker.exists():
        print(f"creating {root} and installing {' '.join(VENVS[name])} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *VENVS[name]], check=True)
        marker.write_text("\n".join(VENVS[name]) + "\n")
    return python


# -- the runners -------------------------------------------------------------------------------------


def driver_runner(python: Path, script: str, items: list[dict[str, Any]]) -> Callable[[], Run]:
    command = [str(python), str(HERE / "compare" / script), "--dsn", dsn()]
    if len(items) < len(SUITE):
        command += ["--ids", ",".join(item["id"] for item in items)]

    def run() -> Run:
        process, wall, cpu = run_process(command)
        if process.returncode != 0:
            raise SystemExit(f"{script} failed ({process.returncode}):\n{process.stderr[-4000:]}")
        document = json.loads(process.stdout.strip().splitlines()[-1])
        if document.get("errors"):
            print(f"{script} reported errors:\n{document['errors']}", file=sys.stderr)
        first = document["queries_total"] - document["queries"]  # after the set-up statements
        return Run(wall, document["validate_seconds"], document["queries"], document["results"],
                   document["tool"], [tuple(item) for item in document["statements"][first:]],
                   client_cpu=cpu)

    return run


def write_rules(directory: Path, items: list[dict[str, Any]]) -> Path:
    """The suite (its selected ``items``) as a dq-agent rule file: the expectations exactly as
    written in the suite."""
    path = directory / "orders.yaml"
    path.write_text(yaml.safe_dump({
        "rule_id": "comparison",
        "dataset": f"{SCHEMA}.{TABLE}",
        "expectations": [
            {"expectation_type": item["expectation_type"], "name": item["id"],
             "kwargs": item["kwargs"]}
            for item in items
        ],
    }, sort_keys=False))
    return path


def agent_outcomes(results: list[dict[str, Any]]) -> dict[str, bool | None]:
    return {
        item["name"]: None if item.get("exception_info") else bool(item["success"])
        for item in results
    }


def compile_bytecode() -> None:
    """Byte-compile dq-agent's packages, as ``pip install`` does for an installed package and did
    for Great Expectations and Soda in their virtualenvs: a source checkout run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every start."""
    root = HERE.parent
    for package in ("agent", "exporter"):
        compileall.compile_dir(root / package, quiet=1)


def cli_runner(rules: Path) -> Callable[[], Run]:
    def run() -> Run:
        process, wall, cpu = run_process(
            [sys.executable, "-m", "agent.cli", "check", "--warehouse", URL, "--rules", str(rules),
             "--once", "--format", "json", "--no-history"])
        if process.returncode not in (0, 1):
            raise SystemExit(f"dq-agent check failed ({process.returncode}):\n{process.stderr}")
        document = json.loads(process.stdout)
        return Run(wall, document["execution_time_ms"] / 1000.0, -1,
                   agent_outcomes(document["results"]), client_cpu=cpu)

    return run


def in_process_runner(rules: Path) -> Callable[[], Run]:
    from agent.config.models import WarehouseConfig
    from agent.rules.loader import load_rules
    from agent.rules.report import rule_run_json
    from agent.rules.runner import run_rule
    from agent.warehouses.warehouse import Warehouse

    (rule,) = load_rules(rules)
    timed: list[tuple[float, str]] = []

    def before(conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
        conn.info["dq_bench_started"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        timed.append((time.perf_counter() - conn.info.pop("dq_bench_started"), statement))

    async def once() -> Run:
        warehouse = Warehouse("pg", WarehouseConfig(url=URL))
        try:
            await warehouse.ping()  # connection set-up is outside, as in the drivers' figure
            timed.clear()
            sa.event.listen(warehouse.engine, "before_cursor_execute", before)
            sa.event.listen(warehouse.engine, "after_cursor_execute", after)
            cpu = time.process_time()
            started = time.perf_counter()
            rule_run = await run_rule(rule, warehouse)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        finally:
            warehouse.close()
        return Run(seconds, seconds, rule_run.queries,
                   agent_outcomes(rule_run_json(rule_run)["results"]), statements=list(timed),
                   client_cpu=cpu)

    return lambda: asyncio.run(once())


# -- report ------------------------------------------------------------------------------------------


def disagreements(tools: list[Tool], items: list[dict[str, Any]]) -> list[str]:
    """Expectations on which a tool's verdict differs from another's or from the built-in one."""
    lines = []
    for item in items:
        verdicts = {tool.name: tool.runs[-1].results.get(item["id"]) for tool in tools}
        if any(verdict is None or verdict != item["expected"] for verdict in verdicts.values()):
            shown = "  ".join(f"{name}={verdict}" for name, verdict in verdicts.items())
            lines.append(f"  {item['id']:26} expected={item['expected']}  {shown}")
    return lines


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def kind_list(text: str) -> list[str]:
    """A comma-separated list of the suite's expectation kinds (argparse type)."""
    kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown expectation kind(s) {', '.join(unknown) or repr(text)}; "
            f"the kinds declared in benchmarks/compare/suite.py are {', '.join(KINDS)}")
    return kinds


def checked(tool: Tool, run: Run, items: list[dict[str, Any]]) -> Run:
    """``run``, after making sure the tool answered exactly the selected expectations."""
    wanted, answered = {item["id"] for item in items}, set(run.results)
    if answered != wanted:
        raise SystemExit(f"{tool.name} ran a different set of expectations than selected: missing "
                         f"{sorted(wanted - answered)}, extra {sorted(answered - wanted)}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool (median)")
    parser.add_argument("--venv-dir", type=Path, default=HERE,
                        help="where the .venv-ge and .venv-soda virtualenvs live")
    parser.add_argument("--only", nargs="*", choices=["agent", "in-process", "ge", "soda"],
                        help="run only these tools")
    parser.add_argument("--kinds", type=kind_list, metavar="KIND,...",
                        help=f"run only the expectations of these kinds ({', '.join(KINDS)})")
    parser.add_argument("--without", type=kind_list, metavar="KIND,...",
                        help="leave out the expectations of these kinds, e.g. regex,unique")
    parser.add_argument("--profile", action="store_true",
                        help="print every tool's database time by what its statements compute, "
                             "then each statement of its last run with its time")
    args = parser.parse_args()
    try:
        items = select(args.kinds, args.without)
    except ValueError as error:
        parser.error(str(error))
    build_table(args.rows)
    wanted = set(args.only or ["agent", "in-process", "ge", "soda"])
    with tempfile.TemporaryDirectory() as directory:
        rules = write_rules(Path(directory), items)
        tools = []
        if "agent" in wanted:
            compile_bytecode()
            tools.append(Tool("dq-agent", cli_runner(rules)))
        if "in-process" in wanted:
            tools.append(Tool("dq-agent-in-process", in_process_runner(rules)))
        if "ge" in wanted:
            tools.append(Tool("ge", driver_runner(venv_python(args.venv_dir, "ge"), "ge_driver.py",
                                                  items)))
        if "soda" in wanted:
            tools.append(Tool("soda", driver_runner(venv_python(args.venv_dir, "soda"),
                                                    "soda_driver.py", items)))
        print(f"load average before: {load_average()}", flush=True)
        for tool in tools:  # warm-up: buffer cache, .pyc files, first connections
            checked(tool, tool.runner(), items)
        for repetition in range(args.repeat):
            shift = repetition % len(tools)
            for tool in tools[shift:] + tools[:shift]:
                tool.runs.append(checked(tool, measured(tool), items))
                print(f"  run {repetition + 1} {tool.name:20} {tool.runs[-1].wall:8.3f}s", flush=True)
    report(tools, args, items)


def selection(args: argparse.Namespace, items: list[dict[str, Any]]) -> str:
    """How many expectations ran, and which kinds when not the whole suite."""
    if len(items) == len(SUITE):
        return f"{len(items)} (the whole suite)"
    parts = []
    if args.kinds:
        parts.append(f"kinds {','.join(args.kinds)}")
    if args.without:
        parts.append(f"without {','.join(args.without)}")
    return f"{len(items)} of {len(SUITE)} ({'; '.join(parts)})"


def report(tools: list[Tool], args: argparse.Namespace, items: list[dict[str, Any]]) -> None:
    print(f"\nrows: {args.rows:,}  expectations: {selection(args, items)}  "
          f"runs per tool: {args.repeat}  load average after: {load_average()}")
    for tool in tools:
        version = tool.runs[-1].version
        walls = ", ".join(f"{run.wall:.3f}" for run in tool.runs)
        statements = str(tool.runs[-1].queries) if tool.runs[-1].queries >= 0 else "-"
        print(f"{tool.name:20} wall {tool.median('wall'):8.3f}s  validation "
              f"{tool.median('validate'):8.3f}s  statements {statements:>4}  "
              f"(runs: {walls}) {version}")
    print("CPU seconds (median of the runs; the tool's own process, the PostgreSQL server's "
          "processes while it ran):")
    for tool in tools:
        server = [run.server_cpu for run in tool.runs]
        shown = ("n/a (the server is not on this machine)" if any(v is None for v in server)
                 else f"{statistics.median(v or 0.0 for v in server):8.3f}s")
        print(f"  {tool.name:20} tool {tool.median('client_cpu'):8.3f}s  database {shown}")
    by_name = {tool.name: tool for tool in tools}
    agent = by_name.get("dq-agent")
    in_process = by_name.get("dq-agent-in-process")
    for other, target in (("ge", 10.0), ("soda", 2.0)):
        if other not in by_name:
            continue
        theirs = by_name[other]
        if agent:
            ratio = theirs.median("wall") / agent.median("wall")
            print(f"{other} / dq-agent, process wall time:   {ratio:6.2f}x  (target >= {target:g})")
        if in_process:
            ratio = theirs.median("validate") / in_process.median("validate")
            print(f"{other} / dq-agent, validation only:     {ratio:6.2f}x  (target >= {target:g})")
        theirs_cpu, ours_cpu = theirs.median_cpu(), agent.median_cpu() if agent else None
        if theirs_cpu is not None and ours_cpu:
            print(f"{other} / dq-agent, CPU (tool + database): {theirs_cpu / ours_cpu:6.2f}x")
    lines = disagreements(tools, items)
    print("disagreements (tool verdicts vs each other and the built-in expectation):")
    print("\n".join(lines) if lines else "  none")
    if args.profile:
        profile(tools)


def profile(tools: list[Tool]) -> None:
    """Per tool: database time by what the statements compute (median over the runs), then each
    statement of the last run with its time."""
    print("\ndatabase time by what the statements compute (median of the runs; "
          "a statement with several parts counts once, under their combination; statements "
          "that ran at the same time each count their own time, so the sum can exceed the "
          "wall time):")
    for tool in tools:
        if not tool.runs[-1].statements:
            continue
        per_run = [{label: (count, seconds) for label, count, seconds in grouped(run.statements)}
                   for run in tool.runs]
        total = statistics.median(sum(seconds for seconds, _ in run.statements) for run in tool.runs)
        print(f"  {tool.name}: {total:.3f}s in {len(tool.runs[-1].statements)} statements")
        for label, count, _ in grouped(tool.runs[-1].statements):
            seconds = statistics.median(groups.get(label, (0, 0.0))[1] for groups in per_run)
            share = seconds / total if total else 0.0
            print(f"    {seconds:8.3f}s {share:6.1%}  {count:3} statement{'s' if count > 1 else ' '}  "
                  f"{label}")
    for tool in tools:
        statements = tool.runs[-1].statements
        if not statements:
            continue
        total = sum(seconds for seconds, _ in statements)
        print(f"\n{tool.name}: {len(statements)} statements, {total:.3f}s in the database")
        for seconds, sql in statements:
                print(f"  {seconds:8.3f}s  {' '.join(sql.split())[:110]}")


if __name__ == "__main__":
    main()
