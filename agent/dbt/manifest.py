"""Reading a dbt manifest.json (schema v10 to v12): its models and sources as relations, its
generic tests with their kwargs and the node each is attached to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_REF = re.compile(r"""\bref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,[^)]*)?\)""")
_SOURCE = re.compile(r"""\bsource\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)""")


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Relation:
    """A model, seed, snapshot or source: where its table lives."""

    unique_id: str
    name: str
    schema: str | None
    table: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table


@dataclass(frozen=True)
class DbtTest:
    unique_id: str
    name: str
    test_name: str | None  # None: a singular test (a SQL file)
    namespace: str | None
    kwargs: dict[str, Any]
    column: str | None
    attached: str | None
    severity: str
    config: dict[str, Any]

    @property
    def qualified_name(self) -> str:
        if self.test_name is None:
            return "singular test"
        return f"{self.namespace}.{self.test_name}" if self.namespace else self.test_name


@dataclass
class Manifest:
    path: Path
    relations: dict[str, Relation]
    tests: list[DbtTest]

    def resolve(self, text: str) -> Relation | None:
        """The relation a ``ref('x')`` / ``source('s', 't')`` expression (in a kwarg) names."""
        source = _SOURCE.search(text)
        if source is not None:
            wanted = f".{source.group(1)}.{source.group(2)}"
            return next((r for uid, r in self.relations.items()
                         if uid.startswith("source.") and uid.endswith(wanted)), None)
        ref = _REF.search(text)
        if ref is not None:
            package, name = (ref.group(1), ref.group(2)) if ref.group(2) else (None, ref.group(1))
            for uid, relation in self.relations.items():
                kind, _, rest = uid.partition(".")
                if kind == "source" or relation.name != name:
                    continue
                if package is None or rest.startswith(f"{package}."):
                    return relation
        return None


def load_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise ManifestError(f"{path}: not a dbt manifest (no `nodes`); give target/manifest.json "
                            "from `dbt parse` or `dbt compile`")
    relations: dict[str, Relation] = {}
    for uid, node in data["nodes"].items():
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            relations[uid] = Relation(uid, node["name"], node.get("schema"),
                                      node.get("alias") or node["name"])
    for uid, node in (data.get("sources") or {}).items():
        relations[uid] = Relation(uid, f"{node['source_name']}_{node['name']}", node.get("schema"),
                                  node.get("identifier") or node["name"])
    tests = [_test(uid, node) for uid, node in data["nodes"].items()
             if node.get("resource_type") == "test"]
    return Manifest(path, relations, sorted(tests, key=lambda test: test.unique_id))


def _test(uid: str, node: dict[str, Any]) -> DbtTest:
    metadata = node.get("test_metadata") or {}
    kwargs = dict(metadata.get("kwargs") or {})
    column = node.get("column_name") or kwargs.get("column_name")
    attached = node.get("attached_node")
    if attached is None:  # manifests before v10: the first model or source it depends on
        depends = [n for n in (node.get("depends_on") or {}).get("nodes", [])
                   if n.split(".")[0] in ("model", "seed", "snapshot", "source")]
        attached = depends[0] if depends else None
    config = dict(node.get("config") or {})
    return DbtTest(
        unique_id=uid, name=node["name"], test_name=metadata.get("name"),
        namespace=metadata.get("namespace"), kwargs=kwargs, column=column, attached=attached,
        severity=str(config.get("severity") or "ERROR").lower(), config=config,
    )
