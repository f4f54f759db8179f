"""Range novelty: how far a point lies beyond the extremes of its training window.

Inside the window's [0.1 %, 99.9 %] quantile range z is 0 (the value has been seen recently);
beyond it z = NOVELTY_BASE + excess / sigma (inter-decile sigma), signed by side. Used as a
veto: a value already seen in the window is not a point anomaly on its own.
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import scale_floor, sorted_quantiles
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "novelty"
NOVELTY_BASE = 2.0
TAIL = 0.001


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    history = history[..., -params.training_window :]
    lo, q10, median, q90, hi = sorted_quantiles(history, (TAIL, 0.1, 0.5, 0.9, 1.0 - TAIL))
    spread = (q90 - q10) / 2.563  # inter-decile range of a normal law in sigmas
    scale = np.fmax(spread, scale_floor(median, spread))
    with np.errstate(invalid="ignore"):
        z = np.where(current > hi, NOVELTY_BASE + (current - hi) / scale,
                     np.where(current < lo, -NOVELTY_BASE - (lo - current) / scale, 0.0))
    z = np.where(enough_history(history, params) & ~np.isnan(current), z, np.nan)
    return DetectorOutput(median, scale, z, point_kind(z))


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
