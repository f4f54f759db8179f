"""Range novelty: how far a point lies beyond the extremes of its training window.

Inside the window's [0.1 %, 99.9 %] quantile range z is 0 (the value has been seen recently);
beyond it z = NOVELTY_BASE + excess / sigma (inter-decile sigma), signed by side. Used as a
veto: a value already seen in the window is not a point anomaly on its own.
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import scale_floor, sorted_quantiles, valid_count
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "novelty"
NOVELTY_BASE = 2.0
TAIL = 0.001


def _fit(history: np.ndarray,
         count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper range edges, median and inter-decile sigma of each row."""
    lo, q10, median, q90, hi = sorted_quantiles(history, (TAIL, 0.1, 0.5, 0.9, 1.0 - TAIL),
                                                count)
    spread = (q90 - q10) / 2.563  # inter-decile range of a normal law in sigmas
    scale = np.fmax(spread, scale_floor(median, spread))
    return lo, hi, median, scale


def _z(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """NOVELTY_BASE + excess / scale beyond [lo, hi], signed by side; 0 inside."""
    with np.errstate(invalid="ignore"):
        above = values - hi
        below = lo - values
        z = np.where(above > 0, NOVELTY_BASE + above / scale, 0.0)
        z = np.where(below > 0, -NOVELTY_BASE - below / scale, z)
    return np.where(np.isnan(values), np.nan, z)


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return detect_with_deviations(history, current, params, keep_deviations=False)[0]


def detect_with_deviations(
    history: np.ndarray, current: np.ndarray, params: DetectorParams, keep_deviations: bool = True
) -> tuple[DetectorOutput, np.ndarray | None]:
    """:func:`detect`, plus each history point's signed z beyond the extremes of the points before it
    in the window (NaN for the first ``params.min_history`` points).

    The window's own range cannot judge its points (each lies inside it by construction); the
    running extremes are the causal range, as a stream would have seen it.
    """
    history = history[..., -params.training_window :]
    count = valid_count(history)
    lo, hi, median, scale = _fit(history, count)
    z = _z(current, lo, hi, scale)
    z = np.where(enough_history(history, params, count) & ~np.isnan(current), z, np.nan)
    out = DetectorOutput(median, scale, z, point_kind(z))
    if not keep_deviations:
        return out, None
    n_points = history.shape[1]
    # 0 inside the running range, NaN where the point is missing; the few points beyond the
    # running extremes (NaN-skipping) get NOVELTY_BASE + excess / sigma, signed by side
    dev = (history * 0.0).astype(np.float32)
    if n_points > 1:
        past = history[:, :-1]
        later = history[:, 1:]
        inv = 1.0 / scale
        with np.errstate(invalid="ignore"):
            for sign, excess in ((1.0, later - np.fmax.accumulate(past, axis=1)),
                                 (-1.0, np.fmin.accumulate(past, axis=1) - later)):
                rows, cols = np.nonzero(excess > 0)
                dev[rows, cols + 1] = sign * (NOVELTY_BASE + excess[rows, cols] * inv[rows])
    dev[:, : params.min_history] = np.nan
    return out, dev


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
