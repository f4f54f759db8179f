"""Loading rule files: one YAML/JSON file, or every *.yaml / *.yml / *.json in a directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent.config.errors import ConfigError
from agent.config.loader import describe_validation_error
from agent.config.yaml_source import KeyPath, YamlSource, format_key_path, load_yaml
from agent.rules.convert import RuleError, dataset_config
from agent.rules.models import RuleFile
from agent.rules.templates import now_utc

RULE_SUFFIXES = (".yaml", ".yml", ".json")


def rule_paths(path: Path) -> list[Path]:
    """``path`` itself, or the rule files in the directory ``path`` (sorted, recursively)."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
        if not found:
            raise RuleError(f"{path}: no rule files (*.yaml, *.yml, *.json) in this directory")
        return found
    if not path.exists():
        raise RuleError(f"{path}: no such rule file or directory")
    return [path]


@dataclass(frozen=True)
class LocatedRule:
    """A rule and where it was read: its file and, in a multi-rule file, its index there."""

    rule: RuleFile
    source: YamlSource
    prefix: KeyPath = ()

    def place(self, key_path: KeyPath) -> str:
        """``file:line`` of ``key_path`` inside the rule (the deepest key that exists)."""
        return _place(self.source, (*self.prefix, *key_path))


def load_rule_file(path: Path) -> list[RuleFile]:
    """The rules in one file: a mapping (one rule) or a list of mappings."""
    return [located_rule.rule for located_rule in load_located_rule_file(path)]


def load_located_rule_file(path: Path) -> list[LocatedRule]:
    """The rules in one file, each with where it was read."""
    try:
        source = load_yaml(path)
    except ConfigError as exc:
        raise RuleError(str(exc)) from None
    several = isinstance(source.data, list)
    documents = source.data if several else [source.data]
    rules: list[LocatedRule] = []
    for index, document in enumerate(documents):
        prefix: KeyPath = (index,) if several else ()
        if not isinstance(document, dict):
            raise RuleError(
                f"{_place(source, prefix)}: a rule must be a mapping with rule_id, dataset and "
                "expectations"
            )
        try:
            rule = RuleFile.model_validate(document)
        except ValidationError as exc:
            if several:
                exc_lines = describe_validation_error(exc, _Shifted(source, prefix)).splitlines()
                raise RuleError("\n".join(exc_lines)) from None
            raise RuleError(describe_validation_error(exc, source)) from None
        try:
            dataset_config(rule, now_utc())  # every expectation must convert now, not at run time
        except RuleError as exc:
            raise located(exc, source, prefix) from None
        rules.append(LocatedRule(rule, source, prefix))
    return rules


def located(error: RuleError, source: YamlSource, prefix: KeyPath = ()) -> RuleError:
    """``error`` with each problem as ``file:line: key.path: message``."""
    if not error.problems:
        return RuleError(f"{source.path}: {error}")
    head = str(error).splitlines()[0] if len(error.problems) > 1 else None
    lines = [f"{source.path}: {head}"] if head else []
    for key_path, message in error.problems:
        full = (*prefix, *key_path)
        text = f"{_place(source, full)}: {format_key_path(full)}: {message}"
        lines.append(f"  {text}" if head else text)
    return RuleError("\n".join(lines), error.problems)


def _place(source: YamlSource, key_path: KeyPath) -> str:
    line = source.line_of(key_path)
    return f"{source.path}:{line}" if line else str(source.path)


class _Shifted(YamlSource):
    """One document of a multi-rule file, its key paths prefixed with the document's index."""

    def __init__(self, source: YamlSource, prefix: KeyPath) -> None:
        super().__init__(path=source.path, data=source.data[prefix[0]], lines=source.lines)
        self._prefix = prefix

    def line_of(self, key_path: KeyPath) -> int | None:
        return super().line_of((*self._prefix, *key_path))


def load_rules(*paths: Path) -> list[RuleFile]:
    """All rules under ``paths``; rule ids must be unique across them."""
    return [located_rule.rule for located_rule in load_located_rules(*paths)]


def load_located_rules(*paths: Path) -> list[LocatedRule]:
    """All rules under ``paths``, each with where it was read; rule ids must be unique."""
    rules: list[LocatedRule] = []
    origin: dict[str, Path] = {}
    for root in paths:
        for path in rule_paths(root):
            for located_rule in load_located_rule_file(path):
                rule = located_rule.rule
                if rule.rule_id in origin:
                    raise RuleError(
                        f"{path}: rule_id {rule.rule_id!r} is already used in {origin[rule.rule_id]}; "
                        "rule ids must be unique"
                    )
                origin[rule.rule_id] = path
                rules.append(located_rule)
    return rules
