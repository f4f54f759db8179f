"""Tukey's IQR fences: how far outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] a point lies.

z is expressed so that a point on a fence has |z| = 2.7 (where a normal law's fences sit in
sigmas) and grows by one per sigma-equivalent (IQR / 1.349) beyond it; inside the fences z is
the position relative to the median in the same units.
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import scale_floor, sorted_quantiles
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "iqr"
FENCE_SIGMAS = 2.698
IQR_TO_SIGMA = 1.349


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    history = history[..., -params.training_window :]
    q1, median, q3 = sorted_quantiles(history, (0.25, 0.5, 0.75))
    iqr = q3 - q1
    sigma = iqr / IQR_TO_SIGMA
    sigma = np.fmax(sigma, scale_floor(median, sigma))
    upper = q3 + 1.5 * iqr
    lower = q1 - 1.5 * iqr
    with np.errstate(invalid="ignore"):
        z = np.where(
            current > upper,
            FENCE_SIGMAS + (current - upper) / sigma,
            np.where(current < lower, -FENCE_SIGMAS - (lower - current) / sigma,
                     (current - median) / sigma),
        )
    z = np.where(enough_history(history, params) & ~np.isnan(current), z, np.nan)
    return DetectorOutput(median, sigma, z, point_kind(z))


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
