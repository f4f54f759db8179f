"""Datasets defined outside the main config file: rule files (``rules:``), data contracts
(``contracts:``) and dbt manifests (``dbt:``), loaded relative to the config file and merged into
its datasets."""

from __future__ import annotations

from pathlib import Path

from agent.config.errors import ConfigError
from agent.config.models import Config, DatasetConfig
from agent.config.yaml_source import KeyPath, YamlSource
from agent.dbt.config import DbtConfig
from agent.rules.convert import RuleError, dataset_config
from agent.rules.loader import load_located_rules
from agent.rules.models import RuleFile
from agent.rules.templates import now_utc
from agent.rules.warehouse_refs import unknown_warehouses


def with_included_datasets(config: Config, source: YamlSource) -> Config:
    """``config`` with the datasets of its rule files, contracts and dbt manifests; a bad file, a
    name used twice or an unknown warehouse is a ConfigError naming the config line and the file."""
    if not config.rules and not config.contracts and not config.dbt:
        return config
    merged = _Merge(config, source)
    for index, path in enumerate(config.rules):
        merged.add_rules(index, _relative_to(source, path))
    for index, path in enumerate(config.contracts):
        merged.add_contract(index, _relative_to(source, path))
    for index, entry in enumerate(config.dbt):
        merged.add_dbt(index, entry, _relative_to(source, entry.manifest))
    return config.with_included(merged.datasets, merged.rule_files)


def _relative_to(source: YamlSource, path: Path) -> Path:
    return path if path.is_absolute() else source.path.resolve().parent / path


class _Merge:
    """The growing set of datasets and where each came from (for conflict messages)."""

    def __init__(self, config: Config, source: YamlSource) -> None:
        self.config = config
        self.source = source
        self.datasets: dict[str, DatasetConfig] = dict(config.datasets)
        self.origin: dict[str, str] = {name: "the config's datasets" for name in config.datasets}
        self.rule_files: dict[str, RuleFile] = {}

    def add_rules(self, index: int, path: Path) -> None:
        key: KeyPath = ("rules", index)
        try:
            located = load_located_rules(path)
        except RuleError as exc:
            raise ConfigError(f"{self._place(key)}: rules[{index}]: {exc}") from None
        known = ", ".join(sorted(self.config.warehouses))
        for located_rule in located:
            rule = located_rule.rule
            unknown = [ref for ref in unknown_warehouses(located_rule, self.config.warehouses)
                       if ref.key != "warehouse"]  # the rule's own warehouse: see _add
            if unknown:
                raise ConfigError(
                    f"{self._place(key)}: rules[{index}]: {unknown[0].describe(rule.rule_id)}, "
                    f"which is not configured; configured warehouses: {known}"
                )
            self._add(key, rule.rule_id, dataset_config(rule, now_utc()), f"rule file {path}")
            self.rule_files[rule.rule_id] = rule

    def add_contract(self, index: int, path: Path) -> None:
        from agent.contracts.compile import ContractError, load_contract_datasets

        key: KeyPath = ("contracts", index)
        try:
            datasets = load_contract_datasets(path)
        except ContractError as exc:
            raise ConfigError(f"{self._place(key)}: contracts[{index}]: {exc}") from None
        for name, dataset in datasets.items():
            self._add(key, name, dataset, f"contract {path}")

    def add_dbt(self, index: int, entry: DbtConfig, path: Path) -> None:
        from agent.dbt.include import DbtIncludeError, dbt_datasets

        known = ", ".join(sorted(self.config.warehouses))
        if entry.warehouse is not None and entry.warehouse not in self.config.warehouses:
            key: KeyPath = ("dbt", index, "warehouse")
            raise ConfigError(f"{self._place(key)}: dbt[{index}].warehouse: unknown warehouse "
                              f"{entry.warehouse!r}; configured warehouses: {known}")
        if entry.warehouse is None and len(self.config.warehouses) > 1:
            key = ("dbt", index)
            raise ConfigError(f"{self._place(key)}: dbt[{index}]: several warehouses are "
                              f"configured ({known}); say which one with dbt[{index}].warehouse")
        key = ("dbt", index, "manifest")
        try:
            datasets = dbt_datasets(entry, path)
        except DbtIncludeError as exc:
            raise ConfigError(f"{self._place(key)}: dbt[{index}].manifest: {exc}") from None
        for name, dataset in datasets.items():
            self._add(("dbt", index), name, dataset, f"dbt manifest {path}")

    def _add(self, key: KeyPath, name: str, dataset: DatasetConfig, origin: str) -> None:
        where = f"{self._place(key)}: {key[0]}[{key[1]}]"
        if name in self.datasets:
            raise ConfigError(
                f"{where}: dataset {name!r} from {origin} is already defined by "
                f"{self.origin[name]}; rename one of them"
            )
        known = ", ".join(sorted(self.config.warehouses))
        if dataset.warehouse is None and len(self.config.warehouses) > 1:
            raise ConfigError(
                f"{where}: dataset {name!r} from {origin}: several warehouses are configured "
                f"({known}); name one with `warehouse:` in that file"
            )
        if dataset.warehouse is not None and dataset.warehouse not in self.config.warehouses:
            raise ConfigError(
                f"{where}: dataset {name!r} from {origin}: unknown warehouse "
                f"{dataset.warehouse!r}; configured warehouses: {known}"
            )
        self.datasets[name] = dataset
        self.origin[name] = origin

    def _place(self, key: KeyPath) -> str:
        line = self.source.line_of(key)
        return f"{self.source.path}:{line}" if line else str(self.source.path)
