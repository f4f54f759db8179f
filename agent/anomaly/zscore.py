"""Classic z-score: distance from the training window's mean in standard deviations."""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import scale_floor
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "zscore"


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    """Score ``current`` (S,) against ``history`` (S, T), NaN = missing."""
    history = history[..., -params.training_window :]
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.count_nonzero(~np.isnan(history), axis=-1)
        filled = np.where(np.isnan(history), 0.0, history)
        mean = filled.sum(axis=-1) / np.maximum(n, 1)
        dev = np.where(np.isnan(history), 0.0, history - mean[..., None])
        std = np.sqrt((dev * dev).sum(axis=-1) / np.maximum(n - 1, 1))
    scale = np.maximum(std, scale_floor(mean, std))
    z = (current - mean) / scale
    z = np.where(enough_history(history, params), z, np.nan)
    return DetectorOutput(mean, scale, z, point_kind(z))


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
