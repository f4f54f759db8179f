"""Robust z-score: distance from the window's median in MAD units (outliers barely move it)."""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import (
    MAD_TO_SIGMA,
    nan_median,
    scale_floor,
    sorted_quantiles,
    valid_count,
)
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "robust_zscore"


def robust_scale(history: np.ndarray, median: np.ndarray, q10: np.ndarray,
                 q90: np.ndarray, count: np.ndarray | None = None) -> np.ndarray:
    """MAD as a sigma, floored by the inter-decile range so quantised series are not 0-wide."""
    mad = nan_median(np.abs(history - median[..., None]), count) * MAD_TO_SIGMA
    spread = (q90 - q10) / 2.563  # inter-decile range of a normal law in sigmas
    base = np.fmax(mad, 0.5 * spread)
    return np.fmax(base, scale_floor(median, base))


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    history = history[..., -params.training_window :]
    count = valid_count(history)
    q10, median, q90 = sorted_quantiles(history, (0.1, 0.5, 0.9), count)
    scale = robust_scale(history, median, q10, q90, count)
    with np.errstate(invalid="ignore"):
        z = (current - median) / scale
    z = np.where(enough_history(history, params, count), z, np.nan)
    return DetectorOutput(median, scale, z, point_kind(z))


def detect_with_deviations(history: np.ndarray, current: np.ndarray,
                           params: DetectorParams) -> tuple[DetectorOutput, np.ndarray]:
    """:func:`detect`, plus each history point's signed z from the same median and scale."""
    out = detect(history, current, params)
    window = history[..., -params.training_window :]
    with np.errstate(invalid="ignore"):
        dev = (window - out.expected[:, None]) / out.scale[:, None]
    return out, dev


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
