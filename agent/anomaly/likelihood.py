"""Anomaly likelihood: is the recent deviation unusual for *this* series' own history?

The idea is the one behind Numenta's anomaly likelihood: a raw deviation (|z| of a detector)
means little on its own, since a noisy series deviates all the time. What matters is whether the
short-term average of the raw deviation is far above its own long-term distribution:

    short(t) = mean of raw[t - SHORT_WINDOW + 1 .. t]
    lz(t)    = (short(t) - mean(short over LONG_WINDOW points before t))
               / std(short over those points)

``lz`` is computed per detector (each catches a different kind of change: one-step forecast
error, distance from the window median, from the seasonal profile, beyond the window's range)
and the largest one counts. Raw deviations are clipped at RAW_CLIP so that a single huge outlier
does not blow up the long-term spread for weeks. Everything is causal (each point only uses
points before it, plus itself for the short average) and vectorised over rows.

:func:`onsets` turns the per-point verdicts into alerts: the first anomalous point starts an
alert, and no new alert is raised for HOLD_OFF points after it (a change is reported once, at
its start, not at every point while it lasts).

The constants were chosen once, for every series, on the total NAB score (see
benchmarks/nab_benchmark.py); no per-file tuning.
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import quiet

SHORT_WINDOW = 15
"""Points averaged into the short-term deviation."""
LONG_WINDOW = 4000
"""Points of short-term averages that form the long-term distribution."""
MIN_LONG = 600
"""Long-term averages needed before the likelihood gives a verdict."""
RAW_CLIP = 10.0
"""Largest raw |z| a single point contributes."""
LIKELIHOOD_Z = 5.0
"""Standardised short-term excess at which the default sensitivity raises an alert."""
HOLD_OFF = 200
"""Points after an alert during which no new alert is raised."""


def rolling_mean(a: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and count of the non-NaN values of a[..., t-window+1 .. t] along the last axis."""
    a = np.asarray(a, dtype=np.float64)
    valid = ~np.isnan(a)
    zeros = np.zeros((*a.shape[:-1], 1))
    sums = np.concatenate([zeros, np.cumsum(np.where(valid, a, 0.0), axis=-1)], axis=-1)
    counts = np.concatenate([zeros, np.cumsum(valid, axis=-1)], axis=-1)
    n = a.shape[-1]
    hi = np.arange(1, n + 1)
    lo = np.maximum(0, hi - window)
    total = sums[..., hi] - sums[..., lo]
    count = counts[..., hi] - counts[..., lo]
    with quiet():
        mean = np.where(count > 0, total / count, np.nan)
    return mean, count


def _lag(a: np.ndarray, fill: float) -> np.ndarray:
    """``a`` shifted one step later along the last axis (so t sees only t-1 and before)."""
    out = np.empty_like(a)
    out[..., 0] = fill
    out[..., 1:] = a[..., :-1]
    return out


def likelihood_z(raw: np.ndarray, short_window: int = SHORT_WINDOW,
                 long_window: int = LONG_WINDOW, min_long: int = MIN_LONG) -> np.ndarray:
    """Standardised excess of the short-term mean of ``raw`` (…, T) over its own past.

    ``raw`` holds non-negative deviations (NaN = no verdict at that point); the result has the
    same shape, NaN until ``min_long`` short-term averages are known.
    """
    r = np.minimum(np.asarray(raw, dtype=np.float64), RAW_CLIP)
    short, _ = rolling_mean(r, short_window)
    mean, count = rolling_mean(short, long_window)
    square, _ = rolling_mean(short * short, long_window)
    mean, square, count = _lag(mean, np.nan), _lag(square, np.nan), _lag(count, 0.0)
    with quiet():
        std = np.sqrt(np.maximum(square - mean * mean, 1e-12))
        lz = (short - mean) / std
    return np.where(count >= min_long, lz, np.nan)


def combined_likelihood(raws: list[np.ndarray]) -> np.ndarray:
    """Largest likelihood z over several detectors' raw deviations (NaN where none has one)."""
    stack = likelihood_z(np.stack(raws))
    with quiet():
        best = np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0)
    return np.where(np.isinf(best), np.nan, best)


def onsets(anomalous: np.ndarray, hold_off: int = HOLD_OFF) -> np.ndarray:
    """Alerts from per-point verdicts (…, T): an anomalous point at least ``hold_off`` points
    after the previous alert of its row starts a new alert."""
    flags = np.zeros(anomalous.shape, dtype=bool)
    rows = np.reshape(anomalous, (-1, anomalous.shape[-1]))
    out = flags.reshape(rows.shape)
    for r, row in enumerate(rows):
        last = -hold_off - 1
        for t in np.flatnonzero(row):
            if t - last > hold_off:
                out[r, t] = True
                last = int(t)
    return flags
