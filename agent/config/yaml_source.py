"""YAML loading that remembers where every key came from and interpolates ``${ENV}`` variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.config.errors import ConfigError

KeyPath = tuple[str | int, ...]
_ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass
class YamlSource:
    """Parsed YAML data plus the line of every key path, for error messages."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int | None:
        """The line of the deepest prefix of ``key_path`` that exists in the file."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return None


def load_yaml(path: Path, *, environ: dict[str, str] | None = None) -> YamlSource:
    """Parse ``path``; ``${VAR}`` / ``${VAR:-default}`` in strings are replaced from ``environ``."""
    env = dict(os.environ) if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    source = YamlSource(path=path, data=None)
    source.data = _convert(root, (), source, env) if root is not None else {}
    return source


def _convert(node: yaml.Node, key_path: KeyPath, source: YamlSource, env: dict[str, str]) -> Any:
    source.lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(  # construct the scalar key with the standard resolver
                ""
            ).construct_object(key_node, deep=True)
            child_path = (*key_path, key)
            source.lines[child_path] = key_node.start_mark.line + 1
            if key in result:
                raise ConfigError(
                    f"{source.path}:{key_node.start_mark.line + 1}: duplicate key "
                    f"{_format_path(child_path)}; each key may appear once"
                )
            result[key] = _convert(value_node, child_path, source, env)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*key_path, index), source, env) for index, item in enumerate(node.value)
        ]
    value = yaml.SafeLoader("").construct_object(node, deep=True)
    if isinstance(value, str) and "${" in value:
        value = _interpolate(value, key_path, node.start_mark.line + 1, source.path, env)
    return value


def _interpolate(value: str, key_path: KeyPath, line: int, path: Path, env: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise ConfigError(
            f"{path}:{line}: {_format_path(key_path)}: environment variable {name} is not set; "
            f"export it or write ${{{name}:-default}}"
        )

    return _ENV_PATTERN.sub(replace, value)


def _format_path(key_path: KeyPath) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"


format_key_path = _format_path
