"""A ``dbt:`` entry of the main config as datasets: its manifest read, its tests selected and
converted, each dataset validated; problems raised as DbtIncludeError naming the manifest."""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
from pathlib import Path

from pydantic import ValidationError

from agent.config.models import DatasetConfig
from agent.dbt.config import DbtConfig
from agent.dbt.convert import DbtImport, import_tests
from agent.dbt.manifest import Manifest, ManifestError, load_manifest

log = logging.getLogger(__name__)


class DbtIncludeError(ValueError):
    """A manifest that cannot be imported; the message names the file and the fix."""


def dbt_datasets(entry: DbtConfig, path: Path) -> dict[str, DatasetConfig]:
    """The datasets of the manifest at ``path`` (``entry.manifest`` resolved by the caller)."""
    try:
        manifest = load_manifest(path)
    except ManifestError as exc:
        raise DbtIncludeError(str(exc)) from None
    if entry.select is not None:
        manifest = selected(manifest, entry.select)
    imported = import_tests(manifest, entry.warehouse, entry.schedule)
    report_skipped(path, imported)
    datasets: dict[str, DatasetConfig] = {}
    for name, data in imported.datasets.items():
        try:
            datasets[name] = DatasetConfig.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
                                 for error in exc.errors(include_url=False))
            raise DbtIncludeError(
                f"{path}: the tests of {name!r} do not make valid checks: {problems}") from None
    return datasets


def selected(manifest: Manifest, patterns: list[str]) -> Manifest:
    """``manifest`` with only the tests attached to relations whose name matches a pattern;
    a pattern that matches no tested relation is an error (a typo would import nothing)."""
    tested: dict[str, set[str]] = {}  # relation name -> unique ids (a model and a source may share it)
    for test in manifest.tests:
        if test.attached in manifest.relations:
            tested.setdefault(manifest.relations[test.attached].name, set()).add(test.attached)
    unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(name, p) for name in tested)]
    if unmatched:
        raise DbtIncludeError(
            f"{manifest.path}: select {', '.join(map(repr, unmatched))} matches no model or "
            f"source with tests; tested: {', '.join(sorted(tested)) or 'none'}")
    chosen = {uid for name, uids in tested.items() for uid in uids
              if any(fnmatch.fnmatchcase(name, p) for p in patterns)}
    return dataclasses.replace(
        manifest, tests=[test for test in manifest.tests if test.attached in chosen])


def report_skipped(path: Path, imported: DbtImport) -> None:
    """One warning for the tests that were not imported; each one, with its reason, at info."""
    if not imported.skipped:
        return
    log.warning("dbt manifest %s: %d tests imported, %d skipped (`dq-agent dbt import` lists "
                "them with the reason)", path, imported.imported, len(imported.skipped))
    for unique_id, reason in imported.skipped:
        log.info("dbt manifest %s: skipped %s: %s", path, unique_id, reason)
