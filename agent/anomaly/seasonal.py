"""Seasonal baseline: median of the same phase in past cycles, spread from seasonal differences
(their interquartile range)."""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import nan_median, scale_floor, sorted_quantiles
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import enough_history, point_kind, stream_windows

NAME = "seasonal"
MAX_CYCLES = 8
IQR_TO_SIGMA = 1.349


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    """Score ``current`` against the same phase of the last cycles of ``history``.

    ``params.period`` points make one cycle; with period 0 (or fewer than two cycles of history)
    the detector abstains (z is NaN).
    """
    return _detect(history, current, params, keep_deviations=False)[0]


def detect_with_deviations(history: np.ndarray, current: np.ndarray,
                           params: DetectorParams) -> tuple[DetectorOutput, np.ndarray]:
    """:func:`detect`, plus each history point's signed z against the seasonal profile of the last
    cycles (the median of each phase, the current point's expectation among them)."""
    out, dev = _detect(history, current, params, keep_deviations=True)
    assert dev is not None
    return out, dev


def _detect(history: np.ndarray, current: np.ndarray, params: DetectorParams,
            keep_deviations: bool) -> tuple[DetectorOutput, np.ndarray | None]:
    history = history[..., -params.training_window :]
    n_series, n_points = history.shape
    period = params.period
    nan = np.full(n_series, np.nan)
    if period < 1 or n_points < 2 * period:
        none = DetectorOutput(nan, nan, nan.copy(), np.zeros(n_series, dtype=np.int8))
        return none, (np.full(history.shape, np.nan) if keep_deviations else None)
    cycles = min(MAX_CYCLES, n_points // period)
    if keep_deviations:
        # profile[:, j]: median of the points j steps into each of the last cycles; j = 0 is the
        # current point's phase
        block = history[:, n_points - cycles * period :].reshape(n_series, cycles, period)
        profile = nan_median(np.swapaxes(block, 1, 2))
        expected = profile[:, 0]
    else:
        same_phase = history[:, n_points - period * np.arange(1, cycles + 1)]
        expected = nan_median(same_phase)
    diffs = history[:, period:] - history[:, :-period]
    # spread of the seasonal differences from their interquartile range (one row sort; for a
    # normal law IQR / 1.349 is sigma, the same as MAD * 1.4826); a difference of two points
    # has sqrt(2) times the spread of one
    q25, q75 = sorted_quantiles(diffs, (0.25, 0.75))
    spread = (q75 - q25) / IQR_TO_SIGMA / np.sqrt(2.0)
    # the median of `cycles` noisy values is itself uncertain
    scale = spread * np.sqrt(1.0 + np.pi / (2.0 * cycles))
    scale = np.fmax(scale, scale_floor(expected, np.nan_to_num(scale)))
    with np.errstate(invalid="ignore"):
        z = (current - expected) / scale
    z = np.where(enough_history(history, params), z, np.nan)
    out = DetectorOutput(expected, scale, z, point_kind(z))
    if not keep_deviations:
        return out, None
    # history point t sits at phase (t - n_points) mod period of the profile
    phase = (np.arange(n_points) - n_points) % period
    with np.errstate(invalid="ignore"):
        dev = (history - profile[:, phase]) / scale[:, None]
    return out, dev


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    return stream_windows(values, params, detect)
