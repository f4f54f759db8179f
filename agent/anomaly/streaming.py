"""Streaming evaluation: every point of a series scored only from the points before it.

This is how the agent would have judged each point had it been running all along; it backs
``dq-agent anomaly score`` and the NAB benchmark. The score of a point is the anomaly
likelihood of :mod:`agent.anomaly.likelihood` over the ensemble members' deviations (how
unusual the recent deviation is for this series), and an alert is raised at the onset of an
anomalous stretch, then held off for ``likelihood.HOLD_OFF`` points.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.anomaly import holt_winters, seasonal
from agent.anomaly.calibration import directional, z_threshold
from agent.anomaly.config import AnomalyConfig
from agent.anomaly.ensemble import DETECTORS, Scored, combine, members
from agent.anomaly.likelihood import combined_likelihood, onsets
from agent.anomaly.params import DetectorParams
from agent.anomaly.periodicity import (
    calendar_periods,
    detect_period,
    sampling_interval_seconds,
)
from agent.anomaly.result import DetectorOutput
from agent.anomaly.verdict import likelihood_verdict

PERIOD_REFIT_EVERY = 288
"""Points between two causal re-estimations of the season length."""


@dataclass(frozen=True)
class StreamScores:
    """Per-point verdicts of :func:`score_stream`; ``flag`` marks points that raise an alert."""

    scored: Scored
    flag: np.ndarray

    @property
    def score(self) -> np.ndarray:
        return self.scored.score


def causal_periods(values: np.ndarray, candidates: Sequence[int], every: int) -> np.ndarray:
    """Season length in force at each point, re-estimated every ``every`` points from the past."""
    n = len(values)
    periods = np.zeros(n, dtype=np.int64)
    if not candidates:
        return periods
    for start in range(every, n, every):
        periods[start : start + every] = detect_period(values[None, :start], candidates)[0]
    return periods


def _select(outputs: dict[int, DetectorOutput], periods: np.ndarray) -> DetectorOutput:
    """Per point, the output computed with the period in force at that point."""
    first = next(iter(outputs.values()))
    fields = {}
    for name in ("expected", "scale", "z", "kind"):
        arr = np.array(getattr(first, name), copy=True)
        for period, out in outputs.items():
            sel = periods == period
            arr[0, sel] = getattr(out, name)[0, sel]
        fields[name] = arr
    return DetectorOutput(**fields)


def score_stream(
    values: np.ndarray,
    timestamps: Sequence[str] | np.ndarray | None = None,
    method: str = "auto",
    config: AnomalyConfig | None = None,
    training_mask: np.ndarray | None = None,
) -> StreamScores:
    """Score every point of one series causally.

    ``training_mask`` marks points (known anomalies, user-marked false positives) that are
    scored but left out of every model's training data; ``config.exclude`` ranges are added.
    A point's score is the anomaly likelihood (0.5 = alert threshold) of the members'
    deviations; a point is flagged when its score reaches the threshold, min_history points
    precede it and no alert was raised in the ``likelihood.HOLD_OFF`` points before it.
    """
    cfg = config or AnomalyConfig()
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    mask = np.zeros(n, dtype=bool) if training_mask is None else np.asarray(training_mask, bool)
    if timestamps is not None and cfg.exclude:
        mask = mask | cfg.excluded(np.asarray(timestamps, dtype="datetime64[ns]"))
    train = np.where(mask, np.nan, x)
    step = sampling_interval_seconds(timestamps)
    if step is not None:
        candidates = calendar_periods(step, cfg.seasonality)
    elif cfg.seasonality == "none":
        candidates = []
    else:
        candidates = list(range(2, min(cfg.training_window // 2, 1000)))
    periods = causal_periods(train, candidates, PERIOD_REFIT_EVERY)
    base = DetectorParams(cfg.training_window, cfg.min_history, 0)
    parts: dict[str, DetectorOutput] = {}
    for name in members(method):
        if name in (seasonal.NAME, holt_winters.NAME):
            outs = {}
            for period in np.unique(periods):
                params = DetectorParams(cfg.training_window, cfg.min_history, int(period))
                outs[int(period)] = _stream_one(name, x, train, params)
            parts[name] = _select(outs, periods)
        else:
            parts[name] = _stream_one(name, x, train, base)
    squeezed = {k: _squeeze(v) for k, v in parts.items()}
    z_thr = z_threshold(cfg.sensitivity)
    point = combine(squeezed, z_thr, cfg.direction)
    raws = [np.abs(directional(out.z, cfg.direction)) for out in squeezed.values()]
    scored = likelihood_verdict(point, combined_likelihood(raws), z_thr)
    anomalous = scored.is_anomaly.copy()
    anomalous[: cfg.min_history] = False
    flag = onsets(anomalous)
    return StreamScores(scored, flag)


def _stream_one(
    name: str, x: np.ndarray, train: np.ndarray, params: DetectorParams
) -> DetectorOutput:
    """Stream one detector: models learn from ``train`` but judge the observed ``x``."""
    module = DETECTORS[name]
    if name in ("holt_winters", "cusum"):
        # recursive models: a masked point is predicted but does not update the state
        out: DetectorOutput = module.stream(train[None, :], params)
        if np.array_equal(np.isnan(train), np.isnan(x)):
            return out
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (x[None, :] - out.expected) / out.scale
        keep = ~np.isnan(out.z) | np.isnan(train)[None, :]
        return DetectorOutput(out.expected, out.scale, np.where(keep, z, np.nan), out.kind)
    from agent.anomaly.windowed import stream_windows

    def judge(history: np.ndarray, current: np.ndarray, p: DetectorParams) -> DetectorOutput:
        return module.detect(history, current, p)

    return _windowed(train, x, params, judge, stream_windows)


def _windowed(train: np.ndarray, x: np.ndarray, params: DetectorParams, judge: object,
              stream_windows: object) -> DetectorOutput:
    from numpy.lib.stride_tricks import sliding_window_view  # noqa: F401

    out: DetectorOutput = stream_windows(train[None, :], params, judge)  # type: ignore[operator]
    if np.array_equal(np.isnan(train), np.isnan(x)):
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x[None, :] - out.expected) / out.scale
    return DetectorOutput(out.expected, out.scale, np.where(np.isnan(out.expected), np.nan, z),
                          out.kind)


def _squeeze(out: DetectorOutput) -> DetectorOutput:
    return DetectorOutput(out.expected[0], out.scale[0], out.z[0], out.kind[0])


def read_series_csv(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read a ``timestamp,value`` CSV; empty or non-numeric values become NaN."""
    path = Path(path)
    timestamps: list[str] = []
    values: list[float] = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["timestamp", "value"]:
            raise ValueError(f"{path}: first line must be the header 'timestamp,value', "
                             f"found {header!r}")
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{line_no}: expected 'timestamp,value', found {row!r}")
            timestamps.append(row[0].strip())
            try:
                values.append(float(row[1]) if row[1].strip() else float("nan"))
            except ValueError:
                raise ValueError(
                    f"{path}:{line_no}: value {row[1]!r} is not a number"
                ) from None
    return timestamps, np.asarray(values, dtype=np.float64)
