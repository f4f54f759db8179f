"""From a data contract file to the agent's own dataset config: one ordinary check per promise.

- schema: one ``schema_contract`` check (every field exists, with its logical type);
- required fields: ``not_null`` (NULL share at most quality.completeness.required_max_null_rate);
  optional fields: ``not_null`` with the optional rate (or the field's ``max_null_rate``);
- enum: ``accepted_values``; minimum / maximum: ``range``;
- unique fields and quality.uniqueness: ``unique``, or ``expect_compound_columns_to_be_unique``
  for a combination;
- quality.freshness: ``freshness``; quality.volume: ``recent_row_count`` over the last day;
- pii fields: masked in the dataset's failing-row samples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.errors import ConfigError
from agent.config.loader import describe_validation_error
from agent.config.models import DatasetConfig
from agent.config.yaml_source import KeyPath, YamlSource, format_key_path, load_yaml
from agent.contracts.models import Contract, ContractField


class ContractError(ValueError):
    """A contract that cannot be used; the message names the file, line, key and the fix."""


def load_contract(path: Path) -> tuple[Contract, YamlSource]:
    """The validated contract in ``path`` and its source (for line numbers)."""
    try:
        source = load_yaml(path)
    except ConfigError as exc:
        raise ContractError(str(exc)) from None
    if not isinstance(source.data, dict):
        raise ContractError(f"{path}:1: a contract must be a mapping with dataset, version and "
                            "schema")
    try:
        contract = Contract.model_validate(source.data)
    except ValidationError as exc:
        raise ContractError(describe_validation_error(exc, source)) from None
    _check_field_references(contract, source)
    return contract, source


def _check_field_references(contract: Contract, source: YamlSource) -> None:
    """Every field the quality section names is declared in the schema, once."""
    declared: dict[str, int] = {}
    for index, item in enumerate(contract.schema_):
        if item.name in declared:
            _fail(source, ("schema", index, "name"),
                  f"field {item.name!r} is declared twice (also schema[{declared[item.name]}]); "
                  "declare each field once")
        declared[item.name] = index
    known = ", ".join(declared)
    references: list[tuple[KeyPath, str]] = []
    for index, entry in enumerate(contract.quality.uniqueness):
        if isinstance(entry, str):
            references.append((("quality", "uniqueness", index), entry))
        else:
            if not entry:
                _fail(source, ("quality", "uniqueness", index),
                      "an empty combination; list the fields that are unique together")
            references.extend((("quality", "uniqueness", index, i), name)
                              for i, name in enumerate(entry))
    freshness, volume = contract.quality.freshness, contract.quality.volume
    if freshness is not None:
        references.append((("quality", "freshness", "column"), freshness.column))
    if volume is not None and volume.column is not None:
        references.append((("quality", "volume", "column"), volume.column))
    for key_path, name in references:
        if name not in declared:
            _fail(source, key_path,
                  f"field {name!r} is not declared in the contract's schema; declare it under "
                  f"`schema:` or use one of: {known}")
    if volume is not None and volume.column is None and freshness is None:
        _fail(source, ("quality", "volume"),
              "a daily volume needs a timestamp field: set quality.volume.column (or "
              "quality.freshness.column)")


def _fail(source: YamlSource, key_path: KeyPath, message: str) -> None:
    line = source.line_of(key_path)
    where = f"{source.path}:{line}" if line else str(source.path)
    raise ContractError(f"{where}: {format_key_path(key_path)}: {message}")


def compile_contract(contract: Contract, warehouse: str | None = None) -> dict[str, Any]:
    """The dataset config (as plain data, ready to print as YAML) of ``contract``."""
    about = f"contract {contract.dataset} v{contract.version}"
    checks: list[dict[str, Any]] = [{
        "type": "schema_contract", "name": "schema",
        "columns": {item.name: item.type for item in contract.schema_},
        "description": f"{about}: schema",
    }]
    for item in contract.schema_:
        checks.extend(_field_checks(contract, item, about))
    checks.extend(_uniqueness_checks(contract, about))
    quality = contract.quality
    if quality.freshness is not None:
        checks.append({"type": "freshness", "column": quality.freshness.column,
                       "max_age": f"{quality.freshness.max_delay_minutes:g}m",
                       "description": f"{about}: freshness"})
    if quality.volume is not None:
        volume = quality.volume
        column = volume.column or (quality.freshness.column if quality.freshness else None)
        check: dict[str, Any] = {"type": "recent_row_count", "name": "daily_volume",
                                 "column": column, "window": "1d",
                                 "description": f"{about}: daily volume"}
        if volume.min_daily_records is not None:
            check["min"] = volume.min_daily_records
        if volume.max_daily_records is not None:
            check["max"] = volume.max_daily_records
        checks.append(check)
    data: dict[str, Any] = {"table": contract.table or contract.dataset}
    for key in ("owner", "team", "tier", "criticality", "where", "schedule"):
        value = getattr(contract, key)
        if value:
            data[key] = value
    if warehouse or contract.warehouse:
        data["warehouse"] = warehouse or contract.warehouse
    if contract.pii_fields():
        data["failing_row_samples"] = {"mask": contract.pii_fields()}
    data["checks"] = checks
    return data


def _field_checks(contract: Contract, item: ContractField, about: str) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    completeness = contract.quality.completeness
    default_rate = (completeness.required_max_null_rate if item.required
                    else completeness.optional_max_null_rate)
    rate = item.max_null_rate if item.max_null_rate is not None else default_rate
    if rate is not None:
        kind = "required" if item.required else "optional"
        checks.append({"type": "not_null", "column": item.name, "mostly": round(1.0 - rate, 12),
                       "description": f"{about}: {kind} field, at most {rate:.2%} NULL"})
    if item.enum is not None:
        checks.append({"type": "accepted_values", "column": item.name, "values": list(item.enum),
                       "description": f"{about}: enum"})
    if item.minimum is not None or item.maximum is not None:
        check: dict[str, Any] = {"type": "range", "column": item.name,
                                 "description": f"{about}: minimum/maximum"}
        if item.minimum is not None:
            check["min"] = item.minimum
        if item.maximum is not None:
            check["max"] = item.maximum
        checks.append(check)
    return checks


def _uniqueness_checks(contract: Contract, about: str) -> list[dict[str, Any]]:
    groups: list[list[str]] = [[item.name] for item in contract.schema_ if item.unique]
    for entry in contract.quality.uniqueness:
        group = [entry] if isinstance(entry, str) else list(entry)
        if group not in groups:
            groups.append(group)
    checks: list[dict[str, Any]] = []
    for group in groups:
        if len(group) == 1:
            checks.append({"type": "unique", "column": group[0],
                           "description": f"{about}: uniqueness"})
        else:
            checks.append({"type": "expect_compound_columns_to_be_unique",
                           "name": "unique_" + "_".join(group), "column_list": group,
                           "description": f"{about}: uniqueness of the combination"})
    return checks


def validated(contract: Contract, source: YamlSource, data: dict[str, Any]) -> DatasetConfig:
    """``data`` (from :func:`compile_contract`) as a DatasetConfig, or a ContractError."""
    try:
        return DatasetConfig.model_validate(data)
    except ValidationError as exc:
        compiled = YamlSource(path=source.path, data=data)
        raise ContractError(
            f"{source.path}: the checks compiled from contract {contract.dataset} are not "
            "valid; fix the contract:\n" + describe_validation_error(exc, compiled)
        ) from None


def load_contract_datasets(path: Path, warehouse: str | None = None) -> dict[str, DatasetConfig]:
    """The datasets (one, named by the contract's ``dataset``) compiled from ``path``."""
    contract, source = load_contract(path)
    return {contract.dataset: validated(contract, source, compile_contract(contract, warehouse))}
