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

The constants were chosen once, for every series, on the total NAB score of the shared corpus
(benchmarks/nab_benchmark.py), with no per-file tuning: a coarse grid over SHORT_WINDOW,
LONG_WINDOW, LIKELIHOOD_Z and HOLD_OFF. Neighbouring settings score within about one point of
the chosen one (e.g. LONG_WINDOW 3000 or 6000, HOLD_OFF 150), so the figure is not a knife-edge,
but it is measured on the corpus the constants were picked on.
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
LATEST_STRIDE = 3
"""The latest-point path samples every LATEST_STRIDE-th short-term window of the history for
the long-term distribution (neighbouring windows share all but a few points); it divides
SHORT_WINDOW."""


def rolling_mean(a: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and count of the non-NaN values of a[..., t-window+1 .. t] along the last axis."""
    a = np.asarray(a, dtype=np.float64)
    valid = ~np.isnan(a)
    sums = np.cumsum(np.where(valid, a, 0.0), axis=-1)
    counts = np.cumsum(valid, axis=-1, dtype=np.float64)
    if window < a.shape[-1]:  # subtract what left the window (slices, not fancy indexing)
        sums[..., window:] -= sums[..., :-window].copy()
        counts[..., window:] -= counts[..., :-window].copy()
    with quiet():
        mean = np.where(counts > 0, sums / counts, np.nan)
    return mean, counts


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


def latest_likelihood(history: list[np.ndarray], current: list[np.ndarray],
                      direction: str = "both") -> np.ndarray:
    """Likelihood z of the latest point of each row, largest over detectors.

    ``history[i]`` holds detector i's signed deviations (S, T) at the points before the latest
    and ``current[i]`` its non-negative deviation (S,) at the latest point (already filtered by
    ``direction``); the history's deviations count as |z| (both), the positive part (spike) or
    the negative part (drop). This is :func:`likelihood_z` at the
    last point of the joined series, with the long-term distribution drawn from the short-term
    averages of every LATEST_STRIDE-th full SHORT_WINDOW window inside the T history points.
    """
    if not history:
        raise ValueError("latest_likelihood needs at least one detector's deviations")
    w, b = SHORT_WINDOW, LATEST_STRIDE
    per = w // b  # blocks of b points per short-term window
    f32 = np.float32
    n_series, n_points = np.shape(history[0])
    n_rows = n_series * len(history)
    n_blocks = min(n_points, LONG_WINDOW + w) // b
    if n_blocks < per:
        return np.full(n_series, np.nan)
    # every detector's rows stacked: one pass of each operation over (detectors * S, T)
    used = n_blocks * b
    r = np.empty((n_rows, used), dtype=f32)
    for i, past in enumerate(history):
        r[i * n_series : (i + 1) * n_series] = np.asarray(past)[:, n_points - used :]
    now = np.concatenate([np.asarray(c, dtype=np.float64) for c in current])
    missing = np.isnan(r)
    if direction == "both":
        np.abs(r, out=r)
    elif direction == "drop":
        np.negative(r, out=r)
    elif direction != "spike":
        raise ValueError(f"direction must be both, spike or drop, not {direction!r}")
    np.clip(r, f32(0.0), f32(RAW_CLIP), out=r)
    r[missing] = 0.0
    # block sums and counts from b strided slices; window sums from `per` shifted block slices
    # (numpy's cumsum along an axis of a 2-D array is many times slower than these adds)
    block_sum = r[:, 0::b].copy()  # float32: at most w * RAW_CLIP, kept to ~1e-5
    block_count = b - missing[:, 0::b].astype(np.int16)
    for i in range(1, b):
        block_sum += r[:, i::b]
        block_count -= missing[:, i::b]
    n_windows = n_blocks - per + 1  # windows end every b points, the last at the last point
    win_sum = block_sum[:, :n_windows].copy()
    win_count = block_count[:, :n_windows].copy()
    for i in range(1, per):
        win_sum += block_sum[:, i : i + n_windows]
        win_count += block_count[:, i : i + n_windows]
    with quiet():
        has = win_count > 0
        np.maximum(win_count, 1, out=win_count)
        short = np.divide(win_sum, win_count, out=win_sum)  # 0 where a window has no point
        k = np.count_nonzero(has, axis=1)
        mean = short.sum(axis=1, dtype=np.float64) / k
        var = np.einsum("ij,ij->i", short, short, dtype=np.float64) / k - mean * mean
        std = np.sqrt(np.fmax(var, 1e-12))
        recent = r[:, used - (w - 1) :] if w > 1 else r[:, :0]  # missing points already 0
        recent_count = (w - 1) - np.count_nonzero(missing[:, used - (w - 1) :], axis=1) \
            if w > 1 else 0
        now_c = np.minimum(now, RAW_CLIP)
        now_ok = ~np.isnan(now_c)
        short_now = ((recent.sum(axis=1, dtype=np.float64) + np.where(now_ok, now_c, 0.0))
                     / (recent_count + now_ok))
        lz = np.where(k * b >= MIN_LONG, (short_now - mean) / std, np.nan)
        best = np.nanmax(lz.reshape(len(history), n_series), axis=0)
    return np.asarray(best, dtype=np.float64)


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
