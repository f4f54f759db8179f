"""Loading the shipped dashboards and every PromQL query in them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GRAFANA_DIR = Path(__file__).resolve().parents[2] / "grafana"
DASHBOARD_DIR = GRAFANA_DIR / "dashboards"


def dashboards() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text()) for path in sorted(DASHBOARD_DIR.glob("*.json"))
    }


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows


def queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every panel target, annotation and query variable."""
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['title']!r} {target['refId']}", target["expr"]
    for annotation in dashboard["annotations"]["list"]:
        if "expr" in annotation:
            yield f"annotation {annotation['name']!r}", annotation["expr"]
    for var in dashboard["templating"]["list"]:
        if var["type"] == "query":
            yield f"variable {var['name']!r}", var["query"]["query"]


def label_values_query(query: str) -> tuple[str, str] | None:
    """(series selector, label) of a Grafana label_values(selector, label) query."""
    if not query.startswith("label_values("):
        return None
    inner = query[len("label_values("):-1]
    selector, _, label = inner.rpartition(",")
    return selector.strip(), label.strip()


def substitute(expr: str, values: dict[str, str] | None = None) -> str:
    """The query as Grafana sends it with every variable at "All" (or at ``values``)."""
    values = values or {}
    for name in ("warehouse", "dataset", "team", "check"):
        expr = expr.replace(f"${name}", values.get(name, ".*"))
    return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
