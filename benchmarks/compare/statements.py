"""What a SQL statement of the comparison makes PostgreSQL compute, read from its text.

Each statement gets the set of the costly things it contains: a regular expression evaluated per
row, a GROUP BY or a window's PARTITION BY (grouping rows by value, as uniqueness checks do), a
COUNT(DISTINCT ...), a sample of failing rows or values (LIMIT; without failures it still reads
the whole table) and plain aggregates; statements that do not read the benchmark table, or read
the catalogue and compute nothing costly, are session and catalogue work (a statement that reads
``pg_stats`` to choose how to group the table is counted by what it computes). One statement
may compute several (dq-agent fuses most of the suite into one), so the groups are the
combinations that occur, not a split of one statement's time.
"""

from __future__ import annotations

import re
from collections import defaultdict

from suite import TABLE

_FEATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("regex", re.compile(r"!?~\*?\s|\bregexp_|\bsimilar\s+to\b", re.IGNORECASE)),
    ("GROUP BY / PARTITION BY", re.compile(r"\b(group|partition)\s+by\b", re.IGNORECASE)),
    ("COUNT(DISTINCT)", re.compile(r"\bcount\s*\(\s*distinct\b", re.IGNORECASE)),
    ("failing-row sample (LIMIT)", re.compile(r"\blimit\b", re.IGNORECASE)),
    ("aggregates", re.compile(r"\b(count|sum|min|max|avg|stddev\w*)\s*\(", re.IGNORECASE)),
)
_TABLE = re.compile(rf"\b{TABLE}\b", re.IGNORECASE)
_CATALOGUE = re.compile(r"\binformation_schema\b|\bpg_catalog\b|\bpg_[a-z_]+\b", re.IGNORECASE)
SESSION = "session / catalogue"


def computes(sql: str) -> str:
    """The label of what ``sql`` computes: its features joined by ``+``, e.g. ``aggregates + regex``."""
    if not _TABLE.search(sql):
        return SESSION
    found = [name for name, pattern in _FEATURES if pattern.search(sql)]
    if _CATALOGUE.search(sql) and set(found) <= {"aggregates"}:
        return SESSION
    if "aggregates" in found and len(found) > 1:  # the plain part goes first, the costly ones after
        found = ["aggregates", *(name for name in found if name != "aggregates")]
    return " + ".join(found) or "table read"


def grouped(statements: list[tuple[float, str]]) -> list[tuple[str, int, float]]:
    """``(label, statements, seconds)`` per label of :func:`computes`, the costliest first."""
    counts: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    for elapsed, sql in statements:
        label = computes(sql)
        counts[label] += 1
        seconds[label] += elapsed
    return sorted(((label, counts[label], seconds[label]) for label in counts),
                  key=lambda row: -row[2])
