"""Figures that tests measure (pass counts, lags, reductions), shown in pytest's terminal summary.

Output captured from a passing test is not shown under ``-q``; what is recorded here is, so the
figures appear in every run, CI's included.
"""

from __future__ import annotations

from collections import defaultdict

SECTIONS: defaultdict[str, list[str]] = defaultdict(list)


def record(section: str, line: str) -> None:
    """Print ``line`` now (visible with ``-s``) and list it under ``section`` at the end of the run."""
    print(line)
    SECTIONS[section].append(line)
