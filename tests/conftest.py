"""Shared fixtures: real warehouses on every backend, configs built in code, a query counter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from agent.config.models import Config
from tests.support.backends import BACKENDS, Backend, open_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The same test on DuckDB, SQLite, the real PostgreSQL and the real MariaDB."""
    with open_backend(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
def duckdb_backend(tmp_path: Path) -> Iterator[Backend]:
    with open_backend("duckdb", tmp_path) as opened:
        yield opened


@pytest.fixture
def postgres_backend(tmp_path: Path) -> Iterator[Backend]:
    with open_backend("postgresql", tmp_path) as opened:
        yield opened


def make_config(
    backend: Backend, datasets: dict[str, dict[str, Any]], tmp_path: Path, **warehouse: Any
) -> Config:
    """A Config with one warehouse ``w`` on ``backend`` and the given datasets."""
    return Config.model_validate({
        "agent": {"state_dir": str(tmp_path / "state"), "listen": "127.0.0.1:0"},
        "warehouses": {"w": {"url": backend.url, **warehouse}},
        "datasets": datasets,
    })


class QueryCounter:
    """Counts statements an engine sends, ignoring the pool's pings and session setup."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = statement.strip().lower()
        if text.startswith("select") and "from" in text and text != "select 1":
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> Iterator[Any]:
    """``counter = count_queries(engine)`` starts counting that engine's SELECTs."""
    attached: list[tuple[sa.Engine, QueryCounter]] = []

    def attach(engine: sa.Engine) -> QueryCounter:
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        attached.append((engine, counter))
        return counter

    yield attach
    for engine, counter in attached:
        event.remove(engine, "before_cursor_execute", counter)


# -- CI: a skipped test counts as a failure ------------------------------------------------------
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    from tests.support.components import NOT_APPLICABLE

    if report.skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        if not reason.startswith(f"Skipped: {NOT_APPLICABLE}"):
            _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.support.components import IN_CI

    if IN_CI and _skipped and exitstatus == 0:
        print(f"\nCI: {len(_skipped)} test(s) were skipped; every real component must run in CI:")
        for nodeid in _skipped:
            print(f"  skipped: {nodeid}")
        session.exitstatus = 1


# -- measured figures (tests.support.summary) in the terminal summary ----------------------------
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.support.summary import SECTIONS

    for section, lines in SECTIONS.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
