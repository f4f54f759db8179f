"""A fixed exposition in the catalogue's format, for driving the control plane without an agent:
an alert storm of 100 failing checks across 10 datasets fed by one upstream, plus a warehouse
the agent cannot reach and a warning under a critical alert (both must be inhibited).

Not the agent: tests that use it say so, and the agent-driven parts run the real agent.
"""

from __future__ import annotations

import time

from exporter.catalogue import CATALOGUE, CHECK_STATES, MetricSpec

ROOT = "raw_events"
DOWNSTREAM = [f"ds{i:02d}" for i in range(10)]
CHECKS_PER_DATASET = 10
TEAMS = {name: ("sales" if i < 5 else "finance") for i, name in enumerate(DOWNSTREAM)}
UNREACHABLE = ("lake", "lake_orders", "lake_orders_rows")  # warehouse, dataset, check
INHIBITED_WARNING = ("wh", "ds00", "ds00_c00")  # anomaly (warning) on a critical failing check


def check_severity(index: int) -> str:
    return "critical" if index < CHECKS_PER_DATASET // 2 else "warning"


def _fmt(labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return "{" + inner + "}"


def _checks(broken: bool) -> list[tuple[dict[str, str], str]]:
    """(check labels, status) of every check in the fixture."""
    out: list[tuple[dict[str, str], str]] = []
    for dataset in DOWNSTREAM:
        for i in range(CHECKS_PER_DATASET):
            labels = {"warehouse": "wh", "dataset": dataset, "check": f"{dataset}_c{i:02d}",
                      "check_type": "not_null", "column": f"col{i}", "severity": check_severity(i)}
            out.append((labels, "fail" if broken else "pass"))
    out.append(({"warehouse": "wh", "dataset": ROOT, "check": f"{ROOT}_rows",
                 "check_type": "row_count", "column": "", "severity": "critical"}, "pass"))
    warehouse, dataset, check = UNREACHABLE
    out.append(({"warehouse": warehouse, "dataset": dataset, "check": check,
                 "check_type": "row_count", "column": "", "severity": "critical"},
                "error" if broken else "pass"))
    return out


def exposition(broken: bool, started: float) -> str:
    """The text exposition; ``broken`` switches the storm and the outages on."""
    now = time.time()
    checks = _checks(broken)
    datasets = sorted({(c["warehouse"], c["dataset"]) for c, _ in checks})
    lines: list[str] = []

    def family(spec: MetricSpec, samples: list[tuple[str, dict[str, str], float]]) -> None:
        kind = "gauge" if spec.type in ("stateset", "info") else spec.type
        lines.append(f"# HELP {spec.name} {spec.help}")
        lines.append(f"# TYPE {spec.name} {kind}")
        lines.extend(f"{name}{_fmt(labels)} {value}" for name, labels, value in samples)

    for spec in CATALOGUE:
        samples: list[tuple[str, dict[str, str], float]] = []
        n = spec.name
        if n.startswith("dq_check_"):
            for labels, status in checks:
                failing = status != "pass"
                if n == "dq_check_status":
                    samples += [(n, {**labels, n: s}, float(s == status)) for s in CHECK_STATES]
                elif n == "dq_check_runs":
                    samples += [(f"{n}_total", {**labels, "result": r},
                                 (now - started) if r == status else 0.0) for r in ("pass", status)
                                if r == "pass" or failing]
                else:
                    value = {
                        "dq_check_success": float(not failing),
                        "dq_check_consecutive_failures": float(failing) * 2,
                        "dq_check_last_run_timestamp_seconds": now,
                        "dq_check_expected_max": 0.0, "dq_check_expected_min": 0.0,
                        "dq_check_unexpected_ratio": 0.1 if failing else 0.0,
                        "dq_check_observed_value": 0.1 if failing else 0.0,
                        "dq_check_duration_seconds": 0.05,
                    }[n]
                    samples.append((n, labels, value))
        elif n.startswith("dq_dataset_") or n in ("dq_schema_columns", "dq_schema_changes"):
            for warehouse, dataset in datasets:
                labels = {"warehouse": warehouse, "dataset": dataset}
                if n == "dq_dataset_info":
                    team = "crm" if warehouse == "lake" else TEAMS.get(dataset, "ingest")
                    samples.append((n, {**labels, "table": dataset, "owner": "o", "team": team,
                                        "tier": "gold", "criticality": "high"}, 1.0))
                elif n == "dq_dataset_quality_dimension_score":
                    samples.append((n, {**labels, "dimension": "completeness"}, 0.9))
                elif n == "dq_schema_changes":
                    if dataset == UNREACHABLE[1]:  # one additive change during the storm
                        samples.append((f"{n}_total", {**labels, "change": "added",
                                                       "breaking": "false"}, float(broken)))
                else:
                    samples.append((n, labels, {
                        "dq_dataset_row_count": 1000.0, "dq_dataset_freshness_seconds": 60.0,
                        "dq_dataset_freshness_sla_seconds": 3600.0,
                        "dq_dataset_last_run_timestamp_seconds": now,
                        "dq_dataset_schedule_interval_seconds": 60.0,
                        "dq_dataset_run_duration_seconds": 0.2, "dq_dataset_run_success": 1.0,
                        "dq_dataset_quality_score": 0.95, "dq_schema_columns": 10.0,
                    }[n]))
        elif n == "dq_lineage_edge":
            samples = [(n, {"warehouse": "wh", "dataset": d, "upstream": ROOT}, 1.0)
                       for d in DOWNSTREAM]
        elif n.startswith("dq_anomaly_"):
            warehouse, dataset, check = INHIBITED_WARNING
            labels = {"warehouse": warehouse, "dataset": dataset, "metric": "observed_value",
                      "check": check, "column": "col0"}
            if n == "dq_anomaly_detected":
                samples.append((n, {**labels, "severity": "warning", "type": "spike"},
                                float(broken)))
            else:
                samples.append((n, labels, {"dq_anomaly_score": 0.99 if broken else 0.1,
                                            "dq_anomaly_expected_value": 0.0,
                                            "dq_anomaly_lower_bound": -0.05,
                                            "dq_anomaly_upper_bound": 0.05}[n]))
        elif n.startswith("dq_column_"):
            labels = {"warehouse": "wh", "dataset": "ds00", "column": "col0"}
            if n == "dq_column_quantile":
                labels["quantile"] = "0.5"
            samples = [(n, labels, 0.5)]
        elif n == "dq_warehouse_up":
            samples = [(n, {"warehouse": "wh"}, 1.0),
                       (n, {"warehouse": "lake"}, 0.0 if broken else 1.0)]
        elif spec.type == "histogram":
            base = {"warehouse": "wh"} if "warehouse" in spec.labels else {}
            count = now - started
            samples = [(f"{n}_bucket", {**base, "le": le}, count) for le in ("0.1", "1", "+Inf")]
            samples += [(f"{n}_sum", base, count * 0.05), (f"{n}_count", base, count)]
        elif spec.type == "counter":
            labels = {"warehouse": "wh", "reason": "timeout"} if "reason" in spec.labels and \
                "warehouse" in spec.labels else {"dataset": "ds00", "reason": "late"}
            samples = [(f"{n}_total", labels, 0.0)]
        else:
            labels = {
                (): {}, ("version", "python"): {"version": "0.1.0", "python": "3.11"},
                ("dataset",): {"dataset": "ds00"}, ("collector",): {"collector": "checks"},
            }[spec.labels]
            samples = [(n, labels, 1.0)]
        family(spec, samples)
    return "\n".join(lines) + "\n"
