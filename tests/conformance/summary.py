"""Pass counts of the conformance runs, shown in pytest's terminal summary (also under -q)."""

from __future__ import annotations

LINES: list[str] = []
