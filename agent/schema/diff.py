"""Drift between two schema snapshots and the verdict of a schema_drift check on it.

Classification, old snapshot -> new snapshot:

* removed / added: a name only in the old / new snapshot;
* renamed (heuristic): a removed and an added column of the same type at the same position;
* type_changed: the same name with another type;
* reordered: columns of both snapshots whose order relative to each other changed.

Removals, renames and type changes are critical (they break readers), reorders a warning,
additions info.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.checks.results import Outcome, Severity
from agent.schema.snapshot import ColumnInfo

SEVERITIES: dict[str, Severity] = {
    "removed": Severity.CRITICAL, "renamed": Severity.CRITICAL, "type_changed": Severity.CRITICAL,
    "reordered": Severity.WARNING, "added": Severity.INFO,
}


@dataclass(frozen=True)
class SchemaChange:
    change: str
    column: str
    before: str | None = None
    after: str | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITIES[self.change]

    @property
    def breaking(self) -> bool:
        return self.severity == Severity.CRITICAL

    def to_json(self) -> dict[str, Any]:
        return {"change": self.change, "column": self.column, "before": self.before,
                "after": self.after, "severity": self.severity.value, "breaking": self.breaking}


def diff_schemas(old: Sequence[ColumnInfo], new: Sequence[ColumnInfo]) -> list[SchemaChange]:
    """The changes from ``old`` to ``new``, removals first, then renames, types, order, additions."""
    old_by_name = {c.name: c for c in old}
    new_by_name = {c.name: c for c in new}
    removed = [c for c in old if c.name not in new_by_name]
    added = [c for c in new if c.name not in old_by_name]
    changes: list[SchemaChange] = []
    renamed_to: dict[str, ColumnInfo] = {}
    for gone in removed:
        match = next((c for c in added if c.position == gone.position and c.type == gone.type
                      and c.name not in {r.name for r in renamed_to.values()}), None)
        if match is not None:
            renamed_to[gone.name] = match
    for gone in removed:
        if gone.name in renamed_to:
            changes.append(SchemaChange("renamed", gone.name, gone.name, renamed_to[gone.name].name))
        else:
            changes.append(SchemaChange("removed", gone.name, gone.type, None))
    for column in new:
        before = old_by_name.get(column.name)
        if before is not None and before.type != column.type:
            changes.append(SchemaChange("type_changed", column.name, before.type, column.type))
    kept_old = [c.name for c in old if c.name in new_by_name]
    kept_new = [c.name for c in new if c.name in old_by_name]
    if kept_old != kept_new:
        for index, name in enumerate(kept_new):
            if kept_old[index] != name:
                changes.append(SchemaChange(
                    "reordered", name, str(old_by_name[name].position),
                    str(new_by_name[name].position)))
    renamed_names = {c.name for c in renamed_to.values()}
    changes.extend(SchemaChange("added", c.name, None, c.type)
                   for c in added if c.name not in renamed_names)
    return changes


def judge(columns: list[ColumnInfo], previous: list[ColumnInfo] | None,
          fail_on: Iterable[str]) -> Outcome:
    """The verdict of a schema_drift check on the new snapshot against the previous one."""
    schema = [c.to_json() for c in columns]
    if previous is None:
        return Outcome(success=True, observed_value=len(columns),
                       message="first schema snapshot; nothing to compare with yet",
                       details={"schema": schema, "fail_on": list(fail_on), "changes": [],
                                "baseline": True})
    changes = diff_schemas(previous, columns)
    failing = [c for c in changes if c.change in set(fail_on)]
    message = None
    if changes:
        message = "; ".join(_describe(c) for c in changes)
    return Outcome(
        success=not failing, observed_value=len(columns), expected_value=len(previous),
        unexpected_count=len(failing), message=message,
        details={"schema": schema, "fail_on": list(fail_on),
                 "changes": [c.to_json() for c in changes], "baseline": False},
    )


def _describe(change: SchemaChange) -> str:
    if change.change == "renamed":
        return f"column {change.before} renamed to {change.after}"
    if change.change == "type_changed":
        return f"column {change.column} changed type from {change.before} to {change.after}"
    if change.change == "reordered":
        return f"column {change.column} moved from position {change.before} to {change.after}"
    return f"column {change.column} {change.change}"


