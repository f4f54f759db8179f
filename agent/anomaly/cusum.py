"""Two-sided tabular CUSUM for level shifts against a slowly adapting EWMA baseline.

The statistic accumulates standardised deviations beyond ``K`` sigmas; once it exceeds ``H``
the shift is reported and the baseline restarts from the new level. z is the statistic rescaled
so that reaching ``H`` equals ``Z_AT_H`` (a detector-neutral alert level), signed by direction.
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.nanstats import scale_floor
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import AnomalyType, DetectorOutput

NAME = "cusum"
K = 0.5
H = 10.0
Z_AT_H = 4.0
RHO = 0.01  # baseline smoothing
CLIP = 3.0
MEAN_ABS_TO_SIGMA = 1.2533


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_series, n_points = x.shape
    expected = np.full((n_series, n_points), np.nan)
    scales = np.full((n_series, n_points), np.nan)
    z = np.full((n_series, n_points), np.nan)
    kind = np.zeros((n_series, n_points), dtype=np.int8)
    if n_points == 0:
        return DetectorOutput(expected, scales, z, kind)
    first = np.where(np.isnan(x[:, 0]), 0.0, x[:, 0])
    mean = first.copy()
    err = np.zeros(n_series)
    pos = np.zeros(n_series)
    neg = np.zeros(n_series)
    seen = np.zeros(n_series, dtype=np.int64)
    for t in range(n_points):
        xt = x[:, t]
        sigma = err * MEAN_ABS_TO_SIGMA
        sigma = np.fmax(sigma, scale_floor(mean, sigma))
        u = np.clip((xt - mean) / sigma, -CLIP, CLIP)
        ok = ~np.isnan(xt)
        new_pos = np.where(ok, np.maximum(0.0, pos + u - K), pos)
        new_neg = np.where(ok, np.maximum(0.0, neg - u - K), neg)
        ready = seen >= params.min_history
        expected[:, t] = mean
        scales[:, t] = sigma
        stat = np.where(new_pos >= new_neg, new_pos, -new_neg)
        z[:, t] = np.where(ready & ok, stat * (Z_AT_H / H), np.nan)
        kind[:, t] = np.where(ready & ok & (stat != 0), AnomalyType.LEVEL_SHIFT, 0)
        alarm = ready & ((new_pos > H) | (new_neg > H))
        pos = np.where(alarm | ~ready, 0.0, new_pos)
        neg = np.where(alarm | ~ready, 0.0, new_neg)
        bound = np.where(ready, CLIP * sigma, np.inf)
        dev = np.where(ok, np.clip(xt - mean, -bound, bound), 0.0)
        rho = np.where(seen < params.min_history, 1.0 / (seen + 1.0), RHO)
        mean = np.where(alarm, xt, np.where(ok, mean + rho * dev, mean))
        err = np.where(ok & ~alarm, (1 - rho) * err + rho * np.abs(dev), err)
        seen = seen + ok
    return DetectorOutput(expected, scales, z, kind)


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    window = history[..., -params.training_window :]
    full = np.concatenate([window, np.asarray(current, dtype=np.float64)[:, None]], axis=1)
    out = stream(full, params)
    return DetectorOutput(out.expected[:, -1], out.scale[:, -1], out.z[:, -1], out.kind[:, -1])
