"""One module per collector; each registers a function yielding metric families from a snapshot.

Importing this package imports every module in it, so adding a collector is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable

from prometheus_client.metrics_core import Metric

from agent.snapshot import ResultsSnapshot

CollectFunction = Callable[[ResultsSnapshot], Iterable[Metric]]
COLLECTORS: dict[str, CollectFunction] = {}


def collector(name: str) -> Callable[[CollectFunction], CollectFunction]:
    def register(function: CollectFunction) -> CollectFunction:
        if name in COLLECTORS:
            raise ValueError(f"collector {name!r} registered twice")
        COLLECTORS[name] = function
        return function

    return register


def load_collectors() -> dict[str, CollectFunction]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(COLLECTORS)
