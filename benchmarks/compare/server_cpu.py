"""CPU time a PostgreSQL server on this machine has spent, read from /proc.

Wall time on a shared two-core host swings by a fifth from run to run; the CPU the database
spends on a tool's statements is steadier, and it is what an exact data-quality tool cannot
avoid paying. The total is every live ``postgres`` process's own user and system time plus what
the postmaster has collected from its exited children (backends of closed connections,
parallel workers), so a backend that exits between two readings is still counted once. The
server's background processes (checkpointer, walwriter, autovacuum) add a little to every
reading alike. Standard library only: the Great Expectations and Soda drivers do not use it, the
benchmark does, around each run.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None if it is gone."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _command(pid: str) -> str:
    try:
        return (PROC / pid / "comm").read_text().strip()
    except OSError:
        return ""


def postgres_cpu_seconds() -> float | None:
    """User plus system CPU seconds of every PostgreSQL server process on this machine, live or
    reaped by its postmaster; None when there is none to read (a remote server, no /proc)."""
    if not PROC.is_dir():
        return None
    pids = {entry.name for entry in PROC.iterdir()
            if entry.name.isdigit() and _command(entry.name) == "postgres"}
    stats = [fields for fields in map(_stat, pids) if fields is not None]
    if not stats:
        return None
    ticks = 0
    for fields in stats:
        # after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        ticks += int(fields[11]) + int(fields[12])
        if fields[1] not in pids:  # the postmaster: add its reaped children's time
            ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS
