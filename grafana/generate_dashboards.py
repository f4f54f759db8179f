"""Generates grafana/dashboards/*.json; run `python grafana/generate_dashboards.py` after editing.

The JSON files are committed; tests/grafana checks they match this generator's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 39
DS = {"type": "prometheus", "uid": "${datasource}"}
OUT = Path(__file__).resolve().parent / "dashboards"
# Label filters every dataset-level query carries.
F = 'warehouse=~"$warehouse", dataset=~"$dataset"'
# Restricts a (warehouse, dataset) vector to the datasets of the selected teams.
TEAM = (
    ' and on (warehouse, dataset) dataset:dq_dataset_info:team{team=~"$team"}'
)

Json = dict[str, Any]


def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> Json:
    t: Json = {"datasource": DS, "expr": expr, "legendFormat": legend or "__auto", "refId": ref}
    if instant:
        t["instant"] = True
        t["range"] = False
    return t


def panel(
    kind: str, title: str, targets: list[Json], grid: tuple[int, int, int, int],
    unit: str = "", description: str = "", **extra: Any,
) -> Json:
    x, y, w, h = grid
    defaults: Json = {"unit": unit} if unit else {}
    defaults.update(extra.pop("defaults", {}))
    p: Json = {
        "type": kind, "title": title, "description": description, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [dict(t, refId=chr(ord("A") + i)) for i, t in enumerate(targets)],
        "fieldConfig": {"defaults": defaults, "overrides": extra.pop("overrides", [])},
        "options": extra.pop("options", {}),
    }
    p.update(extra)
    return p


def variable(name: str, label: str, query: str) -> Json:
    return {
        "name": name, "label": label, "type": "query", "datasource": DS,
        "query": {"query": query, "refId": f"{name}-var"}, "definition": query,
        "refresh": 2, "multi": True, "includeAll": True, "allValue": ".*",
        "current": {"text": "All", "value": "$__all"}, "sort": 1,
    }


def templating(extra: list[Json] | None = None) -> Json:
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "refresh": 1},
        variable("warehouse", "Warehouse", "label_values(dq_dataset_info, warehouse)"),
        variable("team", "Team", 'label_values(dq_dataset_info{warehouse=~"$warehouse"}, team)'),
        variable(
            "dataset", "Dataset",
            'label_values(dq_dataset_info{warehouse=~"$warehouse", team=~"$team"}, dataset)',
        ),
        *(extra or []),
    ]}


def dashboard(uid: str, title: str, panels: list[Json], tmpl: Json, **extra: Any) -> Json:
    for index, p in enumerate(panels, start=1):
        p["id"] = index
    d: Json = {
        "uid": uid, "title": title, "tags": ["dq-agent", "data-quality"],
        "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": True,
        "timezone": "browser", "refresh": "1m", "time": {"from": "now-24h", "to": "now"},
        "graphTooltip": 1, "templating": tmpl,
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        "links": [{"title": "dq-agent", "type": "dashboards", "tags": ["dq-agent"],
                   "asDropdown": True}],
        "panels": panels,
    }
    d["annotations"]["list"].extend(extra.pop("annotations", []))
    d.update(extra)
    return d


def fleet() -> Json:
    score = f"dataset:dq_dataset_quality_score:max{{{F}}}{TEAM}"
    return dashboard("dq-fleet-overview", "dq-agent / Fleet overview", [
        panel("stat", "Failing checks", [target(
            f"sum(dataset:dq_check_failing:sum{{{F}}}{TEAM})", "failing", instant=True)],
            (0, 0, 6, 4), description="Checks whose last run failed."),
        panel("stat", "Datasets below quality 0.8", [target(
            f"count(({score}) < 0.8) or vector(0)", "datasets", instant=True)], (6, 0, 6, 4)),
        panel("stat", "Datasets stale now", [target(
            f"count((dataset:dq_dataset_freshness_sla_met:bool{{{F}}}{TEAM}) == 0)"
            " or vector(0)", "stale", instant=True)], (12, 0, 6, 4)),
        panel("stat", "Failing checks by team", [target(
            'team:dq_check_failing:sum{team=~"$team"}', "{{team}}", instant=True)],
            (18, 0, 6, 4)),
        panel("bargauge", "Quality score by dataset", [target(
            score, "{{warehouse}}/{{dataset}}", instant=True)], (0, 4, 12, 10),
            unit="percentunit", defaults={"min": 0, "max": 1},
            options={"orientation": "horizontal", "displayMode": "gradient"}),
        panel("table", "SLO compliance (30 days)", [
            target(f"dataset:dq_dataset_freshness_sla_met:avg_over_time30d{{{F}}}{TEAM}",
                   "freshness", instant=True),
            target(f"avg by (warehouse, dataset) (check:dq_check_runs:pass_ratio30d{{{F}}})"
                   f"{TEAM}", "check pass", instant=True),
        ], (12, 4, 12, 10), unit="percentunit",
            transformations=[{"id": "merge", "options": {}}]),
        panel("status-history", "Freshness against SLA (1 = at the limit)", [target(
            f"max by (warehouse, dataset) (dq_dataset_freshness_seconds{{{F}}}"
            f" / dq_dataset_freshness_sla_seconds{{{F}}}){TEAM}",
            "{{warehouse}}/{{dataset}}")], (0, 14, 24, 8), unit="none",
            defaults={"color": {"mode": "thresholds"}, "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "orange", "value": 0.8},
                {"color": "red", "value": 1}]}}),
        panel("table", "Worst offenders", [
            target(f"bottomk(10, {score})", "quality score", instant=True),
            target(f"topk(10, dataset:dq_check_failing:sum{{{F}}}{TEAM})", "failing checks",
                   instant=True),
        ], (0, 22, 24, 8), transformations=[{"id": "merge", "options": {}}]),
    ], templating())


def detail() -> Json:
    check_var = variable(
        "check", "Check",
        'label_values(dq_check_success{warehouse=~"$warehouse", dataset=~"$dataset"}, check)')
    cf = f'{F}, check=~"$check"'
    return dashboard("dq-dataset-detail", "dq-agent / Dataset detail", [
        panel("state-timeline", "Check status", [target(
            f"max by (dataset, check) (dq_check_success{{{cf}}})", "{{dataset}} {{check}}")],
            (0, 0, 24, 8), defaults={"mappings": [{"type": "value", "options": {
                "0": {"text": "not passing", "color": "red"},
                "1": {"text": "pass", "color": "green"}}}]}),
        panel("timeseries", "Observed value and thresholds", [
            target(f"dq_check_observed_value{{{cf}}}", "{{check}} observed"),
            target(f"dq_check_expected_min{{{cf}}}", "{{check}} min"),
            target(f"dq_check_expected_max{{{cf}}}", "{{check}} max"),
        ], (0, 8, 12, 9)),
        panel("timeseries", "Anomaly band", [
            target(f"dq_anomaly_lower_bound{{{F}}}", "{{metric}} {{column}} lower"),
            target(f"dq_anomaly_upper_bound{{{F}}}", "{{metric}} {{column}} upper"),
            target(f"dq_anomaly_expected_value{{{F}}}", "{{metric}} {{column}} expected"),
        ], (12, 8, 12, 9), overrides=[{
            "matcher": {"id": "byRegexp", "options": ".* upper"},
            "properties": [{"id": "custom.fillBelowTo", "value": "lower"}]}]),
        panel("timeseries", "Row count", [target(
            f"dq_dataset_row_count{{{F}}}", "{{warehouse}}/{{dataset}}")], (0, 17, 12, 8),
            unit="short"),
        panel("timeseries", "Freshness", [
            target(f"dq_dataset_freshness_seconds{{{F}}}", "{{dataset}} age of newest row"),
            target(f"dq_dataset_freshness_sla_seconds{{{F}}}", "{{dataset}} SLA"),
        ], (12, 17, 12, 8), unit="s"),
        panel("timeseries", "Failing rows ratio", [target(
            f"dq_check_unexpected_ratio{{{cf}}}", "{{check}}")], (0, 25, 12, 8),
            unit="percentunit"),
        panel("timeseries", "Check pass ratio (1h)", [target(
            f"check:dq_check_runs:pass_ratio1h{{{cf}}}", "{{check}}")], (12, 25, 12, 8),
            unit="percentunit"),
    ], templating([check_var]), annotations=[{
        "name": "Schema changes", "datasource": DS, "enable": True,
        "iconColor": "rgba(255, 96, 96, 1)",
        "expr": f"changes(dq_schema_changes_total{{{F}}}[5m]) > 0",
        "step": "60s", "titleFormat": "Schema change: {{change}}",
        "textFormat": "{{dataset}} breaking={{breaking}}", "useValueForTime": False,
    }])


def agent_health() -> Json:
    w = 'warehouse=~"$warehouse"'
    return dashboard("dq-agent-health", "dq-agent / Agent health", [
        panel("stat", "Agents up", [target(
            'sum(up{job=~"dq-agent.*"})', "up", instant=True)], (0, 0, 6, 4)),
        panel("stat", "Config reload", [target(
            "min(dq_config_last_reload_successful)", "last reload ok", instant=True)],
            (6, 0, 6, 4), defaults={"mappings": [{"type": "value", "options": {
                "0": {"text": "rejected", "color": "red"},
                "1": {"text": "ok", "color": "green"}}}]}),
        panel("stat", "Since last good config", [target(
            "time() - max(dq_config_last_reload_success_timestamp_seconds)", "age",
            instant=True)], (12, 0, 6, 4), unit="s"),
        panel("stat", "Runs running / queued", [
            target("sum(dq_scheduler_running_runs)", "running", instant=True),
            target("sum(dq_scheduler_queued_runs)", "queued", instant=True)], (18, 0, 6, 4)),
        panel("state-timeline", "Warehouse up", [target(
            f"max by (warehouse) (dq_warehouse_up{{{w}}})", "{{warehouse}}")], (0, 4, 24, 6),
            defaults={"mappings": [{"type": "value", "options": {
                "0": {"text": "down", "color": "red"}, "1": {"text": "up", "color": "green"}}}]}),
        panel("timeseries", "Slowest checks", [target(
            f"topk(10, dq_check_duration_seconds{{{F}}})", "{{dataset}} {{check}}")],
            (0, 10, 12, 8), unit="s"),
        panel("timeseries", "Warehouse query duration p95", [target(
            "histogram_quantile(0.95, sum by (le, warehouse) "
            f"(rate(dq_warehouse_query_duration_seconds_bucket{{{w}}}[$__rate_interval])))",
            "{{warehouse}}")], (12, 10, 12, 8), unit="s"),
        panel("timeseries", "Scheduler lag", [target(
            'dq_scheduler_lag_seconds{dataset=~"$dataset"}', "{{dataset}}")], (0, 18, 12, 8),
            unit="s"),
        panel("timeseries", "Errors per second", [
            target("sum by (warehouse, reason) (rate(dq_warehouse_query_errors_total"
                   f"{{{w}}}[$__rate_interval])) or on () vector(0)", "{{warehouse}} {{reason}}"),
            target('sum by (dataset) (rate(dq_check_runs_total{result="error", '
                   f"{F}}}[$__rate_interval])) or on () vector(0)", "{{dataset}} check errors"),
            target("sum by (dataset, reason) (rate(dq_scheduler_misfires_total"
                   '{dataset=~"$dataset"}[$__rate_interval])) or on () vector(0)',
                   "{{dataset}} misfires {{reason}}"),
        ], (12, 18, 12, 8), unit="ops"),
        panel("timeseries", "Dataset run duration", [target(
            f"dq_dataset_run_duration_seconds{{{F}}}", "{{dataset}}")], (0, 26, 12, 8),
            unit="s"),
        panel("timeseries", "Collector scrape time", [target(
            "dq_collector_duration_seconds", "{{collector}}")], (12, 26, 12, 8), unit="s"),
    ], templating())


DASHBOARDS = {
    "fleet-overview.json": fleet,
    "dataset-detail.json": detail,
    "agent-health.json": agent_health,
}


def render() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)


if __name__ == "__main__":
    main()
