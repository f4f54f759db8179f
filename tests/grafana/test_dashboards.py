"""Structure of the shipped Grafana dashboards and provisioning files."""

from __future__ import annotations

import sys
from itertools import combinations
from typing import Any

import pytest
import yaml

from tests.grafana.dashboards import DASHBOARD_DIR, GRAFANA_DIR, dashboards, panels, queries

DASHBOARDS = dashboards()
REQUIRED_VARIABLES = ("datasource", "warehouse", "dataset", "team")
MIN_SCHEMA_VERSION = 39


def test_the_three_dashboards_exist_with_fixed_unique_uids() -> None:
    titles = {d["title"] for d in DASHBOARDS.values()}
    assert titles == {
        "dq-agent / Fleet overview", "dq-agent / Dataset detail", "dq-agent / Agent health"
    }
    uids = [d["uid"] for d in DASHBOARDS.values()]
    assert len(set(uids)) == len(uids)
    assert all(uid.startswith("dq-") and len(uid) <= 40 for uid in uids)


def test_dashboards_match_their_generator() -> None:
    sys.path.insert(0, str(GRAFANA_DIR))
    try:
        import generate_dashboards
    finally:
        sys.path.remove(str(GRAFANA_DIR))
    for name, text in generate_dashboards.render().items():
        assert (DASHBOARD_DIR / name).read_text() == text, f"{name} is stale: regenerate it"


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboard_structure(name: str) -> None:
    dashboard = DASHBOARDS[name]
    assert dashboard["schemaVersion"] >= MIN_SCHEMA_VERSION
    variables = {var["name"]: var for var in dashboard["templating"]["list"]}
    for required in REQUIRED_VARIABLES:
        assert required in variables, f"{name}: no ${required} variable"
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
    for panel in panels(dashboard):
        where = f"{name} panel {panel.get('title')!r}"
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, where
        assert panel["targets"], f"{where}: no targets"
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{where}: empty query"
            assert target["datasource"]["uid"] == "${datasource}", where
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["h"] > 0, where
        assert grid["x"] + grid["w"] <= 24, f"{where}: wider than the 24-column grid"


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ga, gb = a["gridPos"], b["gridPos"]
    return (
        ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"]
        and ga["y"] < gb["y"] + gb["h"] and gb["y"] < ga["y"] + ga["h"]
    )


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_panels_do_not_overlap(name: str) -> None:
    for a, b in combinations(list(panels(DASHBOARDS[name])), 2):
        assert not _overlap(a, b), f"{name}: {a['title']!r} overlaps {b['title']!r}"


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dataset_queries_honour_the_variables(name: str) -> None:
    for where, expr in queries(DASHBOARDS[name]):
        if where.startswith("variable 'warehouse'"):
            continue  # the top of the variable chain
        if "dq_check_" in expr or "dq_dataset_" in expr or "dataset:" in expr:
            assert "$dataset" in expr or "$team" in expr or "$warehouse" in expr, where


def test_provisioning_files() -> None:
    ds = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "dq-agent.yml").read_text())
    assert ds["apiVersion"] == 1
    assert [d["type"] for d in ds["datasources"]] == ["prometheus"]
    prov = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "dq-agent.yml").read_text())
    (provider,) = prov["providers"]
    assert provider["type"] == "file" and provider["options"]["path"]
