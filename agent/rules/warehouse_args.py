"""``--warehouse`` of rule runs: ``NAME=URL`` (repeatable) or a bare URL, which is the warehouse
named ``default``. The first one given is the default of rules without ``warehouse:``.

Messages never repeat a URL: it may hold a password."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

from agent.config.models import WarehouseConfig

DEFAULT_NAME = "default"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_FORM = "NAME=URL, e.g. --warehouse lake=duckdb:///lake.db --warehouse pg=postgresql://user@host/db"


class WarehouseArgumentError(ValueError):
    """A ``--warehouse`` value that cannot be used; the message names it without its URL."""


def split_argument(value: str) -> tuple[str, str]:
    """(name, url): ``NAME=URL``, or a bare URL (its scheme has a ':' before any '=')."""
    name, equals, url = value.partition("=")
    if equals and _NAME.match(name):
        return name, url
    return DEFAULT_NAME, value


def parse_warehouses(values: Sequence[str]) -> dict[str, WarehouseConfig]:
    """The warehouses by name, in the order given (the first is the default)."""
    warehouses: dict[str, WarehouseConfig] = {}
    for position, value in enumerate(values, start=1):
        name, url = split_argument(value)
        if name in warehouses:
            if name == DEFAULT_NAME:
                raise WarehouseArgumentError(
                    f"--warehouse #{position}: a second warehouse without a name; give each "
                    f"warehouse as {_FORM}")
            raise WarehouseArgumentError(
                f"--warehouse #{position}: the name {name!r} is given twice; give each warehouse "
                "its own name")
        try:
            warehouses[name] = WarehouseConfig(url=url)
        except ValidationError:
            raise WarehouseArgumentError(
                f"--warehouse #{position} ({name}): not a SQLAlchemy URL; expected a URL such as "
                f"dialect[+driver]://user@host[:port]/database, or {_FORM}") from None
    return warehouses
