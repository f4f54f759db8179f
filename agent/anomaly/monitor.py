"""Anomaly monitors in the agent: after each run, judge the newest point of a dataset's series.

Series names: ``row_count`` and ``freshness_seconds`` (the dataset's), ``<check>`` (that check's
observed value) or ``<check>.<metric>`` (e.g. ``not_null_email.unexpected_ratio``). With no
``metrics`` configured, the dataset's row count, freshness and every check's observed value are
monitored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.anomaly.config import AnomalyConfig
from agent.anomaly.latest import detect_latest
from agent.anomaly.result import AnomalyResult
from agent.store.history import HistoryStore

DATASET_SERIES = ("row_count", "freshness_seconds")


@dataclass(frozen=True)
class MonitoredSeries:
    name: str
    check: str
    metric: str


@dataclass(frozen=True)
class Verdict:
    series: MonitoredSeries
    result: AnomalyResult
    ts: float


def monitored_series(config: AnomalyConfig, check_names: list[str]) -> list[MonitoredSeries]:
    names = config.metrics or [*DATASET_SERIES, *check_names]
    series = []
    for name in names:
        if name in DATASET_SERIES:
            series.append(MonitoredSeries(name, "", name))
        elif "." in name:
            check, metric = name.rsplit(".", 1)
            series.append(MonitoredSeries(name, check, metric))
        else:
            series.append(MonitoredSeries(name, name, "observed_value"))
    return series


def judge_dataset(
    store: HistoryStore, dataset: str, config: AnomalyConfig, check_names: list[str]
) -> list[Verdict]:
    """Read each series' history from the store and judge its newest point, all at once."""
    wanted = monitored_series(config, check_names)
    limit = config.training_window + 1
    histories = [(s, store.series(dataset, s.check, s.metric, limit=limit)) for s in wanted]
    histories = [(s, points) for s, points in histories if len(points) >= 2]
    if not histories:
        return []
    width = max(len(points) for _, points in histories)
    values = np.full((len(histories), width), np.nan)
    longest = max(histories, key=lambda item: len(item[1]))[1]
    timestamps = np.array([round(ts) for ts, _ in longest], dtype=np.int64).astype("datetime64[s]")
    marked = store.false_positives(dataset)
    mask = np.zeros_like(values, dtype=bool)
    false_positives = []
    for row, (series, points) in enumerate(histories):
        values[row, width - len(points):] = [value for _, value in points]
        marks = marked.get(series.name, [])
        false_positives.append(len(marks))
        if marks:
            point_ts = np.array([ts for ts, _ in points])
            mask[row, width - len(points):] = np.isin(np.round(point_ts), np.round(marks))
    results = detect_latest(
        values, timestamps, config, metrics=[s.name for s, _ in histories],
        training_mask=mask, false_positives=false_positives,
    )
    return [
        Verdict(series=series, result=result, ts=points[-1][0])
        for (series, points), result in zip(histories, results, strict=True)
    ]
