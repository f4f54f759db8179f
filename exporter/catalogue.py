"""The metric catalogue: the single source of truth for every exported name, HELP text and label.

rules/, alertmanager/ and grafana/ may only use names defined here (a test enforces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MetricType = Literal["gauge", "counter", "histogram", "stateset", "info"]

CHECK_LABELS: tuple[str, ...] = ("warehouse", "dataset", "check", "check_type", "column", "severity")
DATASET_LABELS: tuple[str, ...] = ("warehouse", "dataset")
COLUMN_LABELS: tuple[str, ...] = ("warehouse", "dataset", "column")
ANOMALY_LABELS: tuple[str, ...] = ("warehouse", "dataset", "metric", "check", "column")

CHECK_STATES: tuple[str, ...] = ("pass", "warn", "fail", "error")


@dataclass(frozen=True)
class MetricSpec:
    """One exported metric family."""

    name: str
    type: MetricType
    help: str
    labels: tuple[str, ...]

    @property
    def sample_names(self) -> tuple[str, ...]:
        """Names of the series this family produces in the Prometheus text format."""
        if self.type == "counter":
            return (f"{self.name}_total", f"{self.name}_created")
        if self.type == "histogram":
            return (f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count")
        if self.type == "info":
            return (f"{self.name}_info",)
        return (self.name,)


def _m(name: str, type_: MetricType, help_: str, labels: tuple[str, ...]) -> MetricSpec:
    return MetricSpec(name=name, type=type_, help=help_, labels=labels)


CATALOGUE: tuple[MetricSpec, ...] = (
    # checks
    _m("dq_check_success", "gauge",
       "1 if the check's last run passed, 0 otherwise (cached from the last run).", CHECK_LABELS),
    _m("dq_check_status", "stateset",
       "Outcome of the check's last run: pass, warn, fail or error (cached from the last run).",
       CHECK_LABELS),
    _m("dq_check_observed_value", "gauge",
       "Value the check measured on its last run (row count, null ratio, ...); cached, see "
       "dq_check_last_run_timestamp_seconds.", CHECK_LABELS),
    _m("dq_check_expected_min", "gauge",
       "Lower threshold in force for the check.", CHECK_LABELS),
    _m("dq_check_expected_max", "gauge",
       "Upper threshold in force for the check.", CHECK_LABELS),
    _m("dq_check_unexpected_ratio", "gauge",
       "Failing rows divided by rows considered on the check's last run.", CHECK_LABELS),
    _m("dq_check_last_run_timestamp_seconds", "gauge",
       "Unix time at which the check's values were computed; every dq_check_* value is cached "
       "from that run, not computed at scrape time.", CHECK_LABELS),
    _m("dq_check_duration_seconds", "gauge",
       "Wall time of the query that computed the check on its last run.", CHECK_LABELS),
    _m("dq_check_consecutive_failures", "gauge",
       "Number of consecutive runs, up to the last, that did not pass.", CHECK_LABELS),
    _m("dq_check_alert_threshold", "gauge",
       "Consecutive failed runs after which the check alerts (its alert_after; a rule file's "
       "sla_threshold); DataQualityCheckFailed waits for it.", ("warehouse", "dataset", "check")),
    _m("dq_check_runs", "counter",
       "Check runs by result (pass, warn, fail, error).", (*CHECK_LABELS, "result")),
    # datasets
    _m("dq_dataset_row_count", "gauge",
       "Rows in the dataset (after its filter) at the last run.", DATASET_LABELS),
    _m("dq_dataset_freshness_seconds", "gauge",
       "Age in seconds of the dataset's newest row at the last run.", DATASET_LABELS),
    _m("dq_dataset_freshness_sla_seconds", "gauge",
       "Maximum age the dataset's freshness SLA allows.", DATASET_LABELS),
    _m("dq_dataset_freshness_sla_compliance_ratio", "gauge",
       "Share of the window, in [0, 1], during which the dataset's age was within its freshness "
       "SLA, from the agent's stored freshness history (time not observed is left out).",
       (*DATASET_LABELS, "window")),
    _m("dq_dataset_last_run_timestamp_seconds", "gauge",
       "Unix time of the dataset's last completed run.", DATASET_LABELS),
    _m("dq_dataset_schedule_interval_seconds", "gauge",
       "Nominal seconds between the dataset's scheduled runs.", DATASET_LABELS),
    _m("dq_dataset_run_duration_seconds", "gauge",
       "Wall time of the dataset's last run, all its queries included.", DATASET_LABELS),
    _m("dq_dataset_run_success", "gauge",
       "1 if the dataset's last run completed without errors, 0 otherwise.", DATASET_LABELS),
    _m("dq_dataset_quality_score", "gauge",
       "Overall quality score of the dataset in [0, 1].", DATASET_LABELS),
    _m("dq_dataset_quality_dimension_score", "gauge",
       "Quality score of the dataset in one dimension, in [0, 1].", (*DATASET_LABELS, "dimension")),
    _m("dq_dataset_info", "gauge",
       "Dataset metadata; always 1. channels: the receivers its alerts go to, comma-separated "
       "(slack:NAME, email:ADDRESS, webhook:HOST-DIGEST, pagerduty:NAME).",
       (*DATASET_LABELS, "table", "owner", "team", "tier", "criticality", "channels")),
    _m("dq_lineage_edge", "gauge",
       "1 for each declared upstream dependency of a dataset.", (*DATASET_LABELS, "upstream")),
    # columns (profiles)
    _m("dq_column_null_ratio", "gauge",
       "Null values divided by rows in the column's last profile.", COLUMN_LABELS),
    _m("dq_column_distinct_count", "gauge",
       "Distinct values in the column's last profile (HyperLogLog estimate where marked).",
       COLUMN_LABELS),
    _m("dq_column_quantile", "gauge",
       "Quantile of the column's values in its last profile (KLL sketch).",
       (*COLUMN_LABELS, "quantile")),
    # schema
    _m("dq_schema_columns", "gauge",
       "Number of columns in the dataset's last schema snapshot.", DATASET_LABELS),
    _m("dq_schema_changes", "counter",
       "Schema changes detected, by change (added, removed, type_changed, renamed, reordered) "
       "and whether they break readers.", (*DATASET_LABELS, "change", "breaking")),
    # anomaly detection
    _m("dq_anomaly_score", "gauge",
       "Anomaly score in [0, 1] of the monitored series' latest point.", ANOMALY_LABELS),
    _m("dq_anomaly_expected_value", "gauge",
       "Value the anomaly model expected for the latest point.", ANOMALY_LABELS),
    _m("dq_anomaly_lower_bound", "gauge",
       "Lower edge of the anomaly model's expected band.", ANOMALY_LABELS),
    _m("dq_anomaly_upper_bound", "gauge",
       "Upper edge of the anomaly model's expected band.", ANOMALY_LABELS),
    _m("dq_anomaly_detected", "gauge",
       "1 if the latest point of the series is flagged as anomalous.",
       (*ANOMALY_LABELS, "severity", "type")),
    # warehouses
    _m("dq_warehouse_up", "gauge",
       "1 if the agent's last query or connection attempt to the warehouse succeeded.",
       ("warehouse",)),
    _m("dq_warehouse_query_duration_seconds", "histogram",
       "Duration of queries the agent sent to the warehouse.", ("warehouse",)),
    _m("dq_warehouse_query_errors", "counter",
       "Queries to the warehouse that failed, by reason (timeout, connection, query).",
       ("warehouse", "reason")),
    # agent health
    _m("dq_build_info", "gauge",
       "Build information; always 1.", ("version", "python")),
    _m("dq_config_last_reload_successful", "gauge",
       "1 if the last configuration load succeeded, 0 if it was rejected.", ()),
    _m("dq_config_last_reload_success_timestamp_seconds", "gauge",
       "Unix time of the last successful configuration load.", ()),
    _m("dq_scheduler_lag_seconds", "gauge",
       "Delay between a run's scheduled time and its start, for the latest run.", ("dataset",)),
    _m("dq_scheduler_misfires", "counter",
       "Scheduled runs skipped because they were late beyond the grace time or still running.",
       ("dataset", "reason")),
    _m("dq_scheduler_running_runs", "gauge",
       "Dataset runs executing now.", ()),
    _m("dq_scheduler_queued_runs", "gauge",
       "Dataset runs waiting for a warehouse slot.", ()),
    _m("dq_store_write_duration_seconds", "histogram",
       "Duration of writes to the history store.", ()),
    _m("dq_collector_success", "gauge",
       "1 if the collector produced its metrics on this scrape.", ("collector",)),
    _m("dq_collector_duration_seconds", "gauge",
       "Time the collector took on this scrape.", ("collector",)),
)

BY_NAME: dict[str, MetricSpec] = {spec.name: spec for spec in CATALOGUE}


def spec(name: str) -> MetricSpec:
    """The catalogue entry for ``name``; KeyError names the unknown metric."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"metric {name!r} is not in exporter/catalogue.py") from None


def all_series_names() -> set[str]:
    """Every series name the exposition can contain (families plus their suffixed samples)."""
    names: set[str] = set()
    for item in CATALOGUE:
        names.add(item.name)
        names.update(item.sample_names)
    return names


def all_label_names() -> set[str]:
    """Every label name the exposition can contain, including Prometheus' own."""
    labels = {"le", "quantile", "job", "instance", "__name__"}
    for item in CATALOGUE:
        labels.update(item.labels)
        if item.type == "stateset":
            labels.add(item.name)
    return labels
