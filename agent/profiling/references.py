"""Where drift checks find their reference profiles: the profile store the process installed.

The agent installs its history store at start; tools that run checks outside the agent install
one with ``install(ProfileStore.open(url))``. Kept free of store imports so check modules can
import it while the configuration models are still loading.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.profiling.store import ProfileStore

_lock = threading.Lock()
_store: ProfileStore | None = None


class NoReferenceStore(RuntimeError):
    """Drift checks ran in a process that installed no profile store."""


def install(store: ProfileStore | None) -> None:
    global _store
    with _lock:
        _store = store


def current() -> ProfileStore:
    with _lock:
        store = _store
    if store is None:
        raise NoReferenceStore(
            "drift checks compare with stored profiles, but no history store is open in this "
            "process; run them in the agent (dq-agent run)"
        )
    return store
