"""Loading and listing the check types (every module in agent/checks/builtin registers itself)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from agent.checks.base import Check, CheckSpec, registered_checks


@cache
def load_builtin_checks() -> None:
    """Import every module of agent.checks.builtin so their classes register."""
    package = importlib.import_module("agent.checks.builtin")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def check_types() -> dict[str, type[Check[Any]]]:
    load_builtin_checks()
    return registered_checks()


def spec_models() -> list[type[CheckSpec]]:
    """The YAML spec model of every registered type, sorted by type name."""
    return [cls.spec_model for _, cls in sorted(check_types().items())]
