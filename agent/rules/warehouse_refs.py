"""The warehouses a rule names: its ``warehouse:`` and the other sides of its expectations
(a reconciliation's ``other.warehouse``, ``other_warehouse``), each with its place in the file."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from agent.config.yaml_source import KeyPath, format_key_path
from agent.rules.convert import dataset_config
from agent.rules.loader import LocatedRule
from agent.rules.templates import now_utc


@dataclass(frozen=True)
class WarehouseReference:
    """One warehouse name written in a rule file."""

    name: str
    place: str  # file:line
    key: str  # key path inside the rule, e.g. expectations[1].kwargs.other.warehouse

    def describe(self, rule_id: str) -> str:
        return f"{self.place}: {self.key}: rule {rule_id!r} names warehouse {self.name!r}"


def warehouse_references(located: LocatedRule) -> list[WarehouseReference]:
    """Every warehouse the rule names, in the order they appear."""
    rule = located.rule
    found: list[WarehouseReference] = []
    if rule.warehouse is not None:
        found.append(_reference(located, rule.warehouse, ("warehouse",)))
    specs = dataset_config(rule, now_utc()).check_specs()  # one check per expectation, in order
    for index, spec in enumerate(specs):
        for suffix, name in spec.warehouse_references().items():  # always inside kwargs
            found.append(_reference(located, name, ("expectations", index, "kwargs", *suffix)))
    return found


def unknown_warehouses(
    located: LocatedRule, known: Collection[str]
) -> list[WarehouseReference]:
    """The references to warehouses not in ``known``."""
    return [ref for ref in warehouse_references(located) if ref.name not in known]


def _reference(located: LocatedRule, name: str, key_path: KeyPath) -> WarehouseReference:
    return WarehouseReference(name=name, place=located.place(key_path),
                              key=format_key_path(key_path))
