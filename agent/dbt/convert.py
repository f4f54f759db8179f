"""dbt tests as dq-agent checks, grouped into one dataset per tested model or source.

not_null, unique, accepted_values and relationships (referential_integrity) from dbt itself;
dbt_utils' expression_is_true (custom_sql), recency (freshness), equal_rowcount
(expect_table_row_count_to_equal_other_table) and accepted_range (range). Anything else, and
tests with a ``where`` filter or non-default ``warn_if`` / ``error_if`` thresholds, is skipped
with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.dbt.manifest import DbtTest, Manifest, Relation

_DEFAULT_THRESHOLD = "!= 0"
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


class Unsupported(Exception):
    """A test with no faithful dq-agent equivalent; the message says why."""


@dataclass
class DbtImport:
    """The datasets (as config data) and the tests that were not imported, with the reason."""

    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    imported: int = 0


def import_tests(
    manifest: Manifest, warehouse: str | None = None, schedule: str | None = None
) -> DbtImport:
    result = DbtImport()
    for test in manifest.tests:
        try:
            relation = _attached(manifest, test)
            spec = _spec(manifest, test, relation)
        except Unsupported as exc:
            result.skipped.append((test.unique_id, str(exc)))
            continue
        dataset = result.datasets.setdefault(relation.name, _dataset(relation, warehouse, schedule))
        dataset["checks"].append(spec)
        result.imported += 1
    return result


def _dataset(relation: Relation, warehouse: str | None, schedule: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"table": relation.table}
    if relation.schema:
        data["schema"] = relation.schema
    if warehouse:
        data["warehouse"] = warehouse
    if schedule:
        data["schedule"] = schedule
    data["checks"] = []
    return data


def _attached(manifest: Manifest, test: DbtTest) -> Relation:
    if test.test_name is None:
        raise Unsupported("singular (SQL file) tests are not imported; write a custom_sql check")
    if test.attached is None or test.attached not in manifest.relations:
        raise Unsupported(f"its model {test.attached!r} is not in the manifest")
    return manifest.relations[test.attached]


def _spec(manifest: Manifest, test: DbtTest, relation: Relation) -> dict[str, Any]:
    convert = _CONVERTERS.get(test.qualified_name)
    if convert is None:
        raise Unsupported(f"test {test.qualified_name} has no dq-agent equivalent")
    if test.config.get("where"):
        raise Unsupported(f"its `where` filter ({test.config['where']}) is not imported; "
                          "add a dataset with that `where`")
    for key in ("warn_if", "error_if"):
        if str(test.config.get(key) or _DEFAULT_THRESHOLD).replace(" ", "") != "!=0":
            raise Unsupported(f"its {key} threshold {test.config[key]!r} is not imported")
    converted = convert(manifest, test, relation)
    spec = {"type": converted.pop("type"), "name": test.name, **converted}
    spec["severity"] = "warning" if test.severity == "warn" else "critical"
    spec["description"] = f"dbt test {test.unique_id}"
    return spec


def _column(test: DbtTest) -> str:
    if not test.column:
        raise Unsupported(f"test {test.qualified_name} has no column_name")
    return test.column


def _not_null(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    return {"type": "not_null", "column": _column(test)}


def _unique(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    return {"type": "unique", "column": _column(test)}


def _accepted_values(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    return {"type": "accepted_values", "column": _column(test),
            "values": list(test.kwargs["values"])}


def _relationships(manifest: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    parent = manifest.resolve(str(test.kwargs.get("to", "")))
    if parent is None:
        raise Unsupported(f"its `to` {test.kwargs.get('to')!r} names no model in the manifest")
    spec: dict[str, Any] = {"type": "referential_integrity", "column": _column(test),
                            "parent_table": parent.table, "parent_column": test.kwargs["field"]}
    if parent.schema:
        spec["parent_schema"] = parent.schema
    return spec


def _expression_is_true(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    expression = str(test.kwargs["expression"])
    if test.column:
        expression = f"{test.column} {expression}"
    return {"type": "custom_sql", "query": f"SELECT * FROM {{table}} WHERE NOT ({expression})"}


def _recency(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    datepart = str(test.kwargs.get("datepart", "")).lower()
    if datepart not in _SECONDS:
        raise Unsupported(f"recency by {datepart!r} (only {', '.join(_SECONDS)}) is not imported")
    seconds = float(test.kwargs["interval"]) * _SECONDS[datepart]
    return {"type": "freshness", "column": str(test.kwargs["field"]), "max_age": seconds}


def _equal_rowcount(manifest: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    other = manifest.resolve(str(test.kwargs.get("compare_model", "")))
    if other is None:
        raise Unsupported(f"its compare_model {test.kwargs.get('compare_model')!r} names no "
                          "model in the manifest")
    return {"type": "expect_table_row_count_to_equal_other_table",
            "other_table_name": other.qualified}


def _accepted_range(_m: Manifest, test: DbtTest, _r: Relation) -> dict[str, Any]:
    inclusive = bool(test.kwargs.get("inclusive", True))
    spec: dict[str, Any] = {"type": "range", "column": _column(test)}
    for kwarg, key in (("min_value", "min"), ("max_value", "max")):
        if test.kwargs.get(kwarg) is not None:
            spec[key] = test.kwargs[kwarg]
    if not inclusive:
        spec["strict_min"] = spec["strict_max"] = True
    return spec


_Converter = Callable[[Manifest, DbtTest, Relation], dict[str, Any]]
_CONVERTERS: dict[str, _Converter] = {
    "not_null": _not_null,
    "unique": _unique,
    "accepted_values": _accepted_values,
    "relationships": _relationships,
    "dbt_utils.expression_is_true": _expression_is_true,
    "dbt_utils.recency": _recency,
    "dbt_utils.equal_rowcount": _equal_rowcount,
    "dbt_utils.accepted_range": _accepted_range,
}
