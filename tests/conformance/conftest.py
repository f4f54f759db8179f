"""Prints the Great Expectations conformance pass counts per backend at the end of every run."""

from __future__ import annotations

import pytest

from tests.conformance.summary import LINES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LINES:
        terminalreporter.section("Great Expectations conformance")
        for line in LINES:
            terminalreporter.write_line(line)
