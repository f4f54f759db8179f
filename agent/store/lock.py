"""One agent per history store file: an exclusive lock held for the process's lifetime."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url


class StoreLocked(RuntimeError):
    """Another agent already uses this history store."""


class StoreLock:
    def __init__(self, store_url: str) -> None:
        url = make_url(store_url)
        database = url.database if url.get_backend_name() == "sqlite" else None
        self.path = Path(f"{database}.lock") if database and database != ":memory:" else None
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreLocked naming the holder and the fix."""
        if self.path is None:
            return  # a server-side store (PostgreSQL) is shared safely through transactions
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreLocked(
                f"another dq-agent (pid {holder}) is already using the history store "
                f"{self.path.with_suffix('')}; stop it, or give this agent its own "
                "agent.state_dir or agent.history_url"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
