"""From a YAML file to a validated, frozen Config, or a ConfigError naming file, line and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.errors import ConfigError
from agent.config.models import Config
from agent.config.yaml_source import KeyPath, YamlSource, format_key_path, load_yaml


def load_config(path: str | Path, *, environ: dict[str, str] | None = None) -> Config:
    source = load_yaml(Path(path), environ=environ)
    if not isinstance(source.data, dict):
        raise ConfigError(f"{source.path}:1: the config must be a mapping with a `warehouses` key")
    _resolve_relative_files(source)
    try:
        config = Config.model_validate(source.data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source)) from None
    _check_references(config, source)
    _check_secret_files(config, source)
    from agent.config.includes import with_included_datasets  # it reads rule files (a cycle)

    return with_included_datasets(config, source)


def describe_validation_error(exc: ValidationError, source: YamlSource) -> str:
    """One line per problem: ``file:line: key.path: what was expected``."""
    lines = [f"{source.path}: {exc.error_count()} problem(s) in the configuration:"]
    for error in exc.errors(include_url=False):
        key_path = _data_path(error["loc"], source.data)
        line = source.line_of(key_path)
        where = f"{source.path}:{line}" if line else str(source.path)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"  {where}: {format_key_path(key_path)}: {message}")
    return "\n".join(lines)


def _data_path(loc: tuple[int | str, ...], data: Any) -> KeyPath:
    """Pydantic's error location with the discriminated-union tags (e.g. 'row_count') removed."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_mapping or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node:
            # A union tag or a missing key: keep a missing key, skip a tag.
            if isinstance(node.get("type"), str) and node.get("type") == part:
                continue
            path.append(part)
            node = None
    return tuple(path)


def _resolve_relative_files(source: YamlSource) -> None:
    """``*_file`` paths are relative to the config file's folder."""
    base = source.path.resolve().parent
    warehouses = source.data.get("warehouses")
    if not isinstance(warehouses, dict):
        return
    for spec in warehouses.values():
        if not isinstance(spec, dict):
            continue
        for key, value in list(spec.items()):
            if key.endswith("_file") and isinstance(value, str) and not Path(value).is_absolute():
                spec[key] = str(base / value)


def _check_references(config: Config, source: YamlSource) -> None:
    known = ", ".join(sorted(config.warehouses))
    for name, dataset in config.datasets.items():
        if dataset.warehouse is None and len(config.warehouses) > 1:
            key_path: KeyPath = ("datasets", name)
            raise ConfigError(
                f"{source.path}:{source.line_of(key_path)}: datasets.{name}: several warehouses "
                f"are configured ({known}); say which one with `warehouse:`"
            )
        if dataset.warehouse is not None and dataset.warehouse not in config.warehouses:
            key_path = ("datasets", name, "warehouse")
            raise ConfigError(
                f"{source.path}:{source.line_of(key_path)}: datasets.{name}.warehouse: unknown "
                f"warehouse {dataset.warehouse!r}; configured warehouses: {known}"
            )
        _check_check_references(config, name, source)


def _check_check_references(config: Config, dataset: str, source: YamlSource) -> None:
    """Warehouses named inside checks (a reconciliation's other side) must be configured."""
    known = ", ".join(sorted(config.warehouses))
    for index, spec in enumerate(config.datasets[dataset].check_specs()):
        for suffix, warehouse in spec.warehouse_references().items():
            if warehouse in config.warehouses:
                continue
            key_path: KeyPath = ("datasets", dataset, "checks", index, *suffix)
            check = spec.name or spec.type
            raise ConfigError(
                f"{source.path}:{source.line_of(key_path)}: {format_key_path(key_path)}: check "
                f"{check!r} of dataset {dataset!r} names unknown warehouse {warehouse!r}; "
                f"configured warehouses: {known}"
            )


def _check_secret_files(config: Config, source: YamlSource) -> None:
    for name, warehouse in config.warehouses.items():
        if warehouse.password_file is None:
            continue
        key_path: KeyPath = ("warehouses", name, "password_file")
        try:
            warehouse.resolved_password()
        except OSError as exc:
            raise ConfigError(
                f"{source.path}:{source.line_of(key_path)}: warehouses.{name}.password_file: "
                f"cannot read {warehouse.password_file}: {exc.strerror or exc}"
            ) from None


def config_json_schema() -> str:
    """The JSON Schema of the config file, for editors."""
    schema = Config.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dq-agent configuration"
    return json.dumps(schema, indent=2, sort_keys=True)
