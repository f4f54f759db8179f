"""Additive Holt-Winters exponential smoothing (level, damped trend, season), vectorised.

Each point is predicted one step ahead from the state built on the points before it; the
spread is an exponentially weighted mean absolute one-step error. A missing point (NaN) is
taken as predicted exactly: the state moves on one step, the error scale is unchanged.
With ``period`` 0 this is Holt's linear method.
"""

from __future__ import annotations

import math

import numpy as np

from agent.anomaly.nanstats import quiet, scale_floor
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput
from agent.anomaly.windowed import point_kind

NAME = "holt_winters"
ALPHA = 0.2  # level
BETA = 0.02  # trend
GAMMA = 0.15  # season
PHI = 0.98  # trend damping
RHO = 0.02  # error-scale smoothing
MEAN_ABS_TO_SIGMA = 1.2533
CLIP = 4.0  # an outlier moves the state as if it were CLIP sigmas away, not more


def stream(values: np.ndarray, params: DetectorParams) -> DetectorOutput:
    """One-step-ahead expectation and z for every point of ``values`` (S, T)."""
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_series, n_points = x.shape
    period = params.period if 2 <= params.period <= n_points // 2 else 0
    expected = np.full((n_series, n_points), np.nan)
    scales = np.full((n_series, n_points), np.nan)
    z = np.full((n_series, n_points), np.nan)
    if n_points == 0:
        return DetectorOutput(expected, scales, z, np.zeros(z.shape, dtype=np.int8))
    start = max(period, 1)
    first = x[:, :start]
    with quiet():
        level = np.nanmean(first, axis=1)
    level = np.nan_to_num(level)
    trend = np.zeros(n_series)
    season = np.nan_to_num(first - level[:, None]) if period else np.zeros((n_series, 1))
    head = x[:, : max(start, params.min_history + 1)]
    mad = np.abs(np.diff(head, axis=1))
    with quiet():
        err = np.nan_to_num(np.nanmean(mad, axis=1)) if mad.size else np.zeros(n_series)
    seen = np.count_nonzero(~np.isnan(first), axis=1)
    warmup = start + params.min_history
    if n_series == 1:
        _loop_one(x[0], period, warmup, params.min_history, float(level[0]),
                  season[0].tolist(), float(err[0]), int(seen[0]), expected[0], scales[0], z[0])
        return DetectorOutput(expected, scales, z, point_kind(z))
    for t in range(start, n_points):
        s_idx = t % period if period else 0
        s_t = season[:, s_idx]
        pred = level + PHI * trend + s_t
        xt = x[:, t]
        sigma = err * MEAN_ABS_TO_SIGMA
        sigma = np.fmax(sigma, scale_floor(pred, sigma))
        resid = xt - pred
        expected[:, t] = pred
        scales[:, t] = sigma
        if t >= warmup:
            z[:, t] = np.where(seen >= params.min_history, resid / sigma, np.nan)
        ok = ~np.isnan(xt)
        # a missing point counts as predicted exactly: the state moves on, the error stays
        clipped = np.nan_to_num(np.clip(resid, -CLIP * sigma, CLIP * sigma))
        xc = pred + clipped
        new_level = ALPHA * (xc - s_t) + (1 - ALPHA) * (level + PHI * trend)
        trend = BETA * (new_level - level) + (1 - BETA) * PHI * trend
        level = new_level
        if period:
            season[:, s_idx] = GAMMA * (xc - new_level) + (1 - GAMMA) * s_t
        err = np.where(ok, RHO * np.abs(clipped) + (1 - RHO) * err, err)
        seen = seen + ok
    return DetectorOutput(expected, scales, z, point_kind(z))


def detect(history: np.ndarray, current: np.ndarray, params: DetectorParams) -> DetectorOutput:
    """Score ``current`` (S,) after smoothing over ``history`` (S, T); keeps only final state."""
    return _smooth(history, current, params, keep_deviations=False)[0]


def detect_with_deviations(history: np.ndarray, current: np.ndarray,
                           params: DetectorParams) -> tuple[DetectorOutput, np.ndarray]:
    """:func:`detect`, plus the signed one-step-ahead z of every point of ``history`` (S, T).

    Each deviation is what :func:`stream` would have reported at that point (NaN during the
    warm-up and at missing points), so a caller can judge the latest point against the
    series' own record of deviations (see :mod:`agent.anomaly.likelihood`).
    """
    out, deviations = _smooth(history, current, params, keep_deviations=True)
    assert deviations is not None
    return out, deviations


def _smooth(history: np.ndarray, current: np.ndarray, params: DetectorParams,
            keep_deviations: bool) -> tuple[DetectorOutput, np.ndarray | None]:
    """The vectorised recursion behind :func:`detect`.

    The recursion runs in float32 on rows centred on their mean (so large offsets such as epoch
    seconds keep their precision), with the update equations folded into their residual form:
    with ``c`` the clipped residual, level += damped trend + ALPHA c, trend = PHI trend +
    ALPHA BETA c, season += GAMMA (1 - ALPHA) c. A missing point has c = 0 (the state moves on
    as predicted) and leaves the error scale unchanged.
    """
    window = np.asarray(history, dtype=np.float64)[..., -params.training_window :]
    n_series, n_points = window.shape
    period = params.period if 2 <= params.period <= n_points // 2 else 0
    start = max(period, 1)
    nan = np.full(n_series, np.nan)
    if n_points <= start + params.min_history:
        empty = DetectorOutput(nan, nan, nan.copy(), np.zeros(n_series, dtype=np.int8))
        return empty, (np.full((n_series, n_points), np.nan) if keep_deviations else None)
    f32 = np.float32
    # rows centred on their mean, time along the first axis (contiguous rows per step)
    missing = np.isnan(window)
    filled = np.where(missing, 0.0, window)
    seen = n_points - np.count_nonzero(missing, axis=1)
    ref = filled.sum(axis=1) / np.maximum(seen, 1)
    xs = np.ascontiguousarray((filled - ref[:, None]).T, dtype=f32)
    observed = ~missing.T
    has_nan = bool(missing.any())
    if has_nan:
        xs[~observed] = 0.0
    with quiet():  # row reductions in float64 (the same per row whatever the batch)
        first = window[:, :start] - ref[:, None]
        level64 = np.nan_to_num(np.nanmean(first, axis=1))
        head = window[:, : max(start, params.min_history + 1)]
        err = np.nan_to_num(np.nanmean(np.abs(np.diff(head, axis=1)), axis=1)).astype(f32)
    level = level64.astype(f32)
    trend = np.zeros(n_series, dtype=f32)
    season = np.ascontiguousarray(
        np.nan_to_num(first - level64[:, None]).T if period else np.zeros((1, n_series)),
        dtype=f32)
    ok32 = np.ascontiguousarray(observed, dtype=f32) if has_nan else None
    rho_ok = ok32 * f32(RHO) if ok32 is not None else None
    # clipping never narrower than CLIP * 1e-3 of the row's level (flat series)
    floor = (CLIP * (1e-3 * np.abs(ref) + 1e-9)).astype(f32)
    phi, sigma_k = f32(PHI), f32(MEAN_ABS_TO_SIGMA * CLIP)
    alpha, alpha_beta = f32(ALPHA), f32(ALPHA * BETA)
    gamma_c, rho = f32(GAMMA * (1 - ALPHA)), f32(RHO)
    damped = np.empty(n_series, dtype=f32)
    bound = np.empty(n_series, dtype=f32)
    resid = np.empty(n_series, dtype=f32)
    tmp = np.empty(n_series, dtype=f32)
    deviations = np.full((n_points, n_series), np.nan, dtype=f32) if keep_deviations else None
    for t in range(start, n_points):
        s_t = season[t % period] if period else season[0]
        np.multiply(trend, phi, out=damped)
        np.add(level, damped, out=level)  # level + damped trend (the base of the prediction)
        np.add(level, s_t, out=tmp)
        np.subtract(xs[t], tmp, out=resid)
        np.multiply(err, sigma_k, out=bound)
        np.maximum(bound, floor, out=bound)
        if deviations is not None:
            np.divide(resid, bound, out=deviations[t])  # z / CLIP
        np.minimum(resid, bound, out=resid)
        np.negative(bound, out=bound)
        np.maximum(resid, bound, out=resid)
        if ok32 is not None:
            np.multiply(resid, ok32[t], out=resid)
        np.multiply(resid, alpha, out=tmp)
        np.add(level, tmp, out=level)
        np.multiply(resid, alpha_beta, out=tmp)
        np.add(damped, tmp, out=trend)
        if period:
            np.multiply(resid, gamma_c, out=tmp)
            np.add(s_t, tmp, out=s_t)
        np.abs(resid, out=tmp)
        np.subtract(tmp, err, out=tmp)
        if rho_ok is not None:
            np.multiply(tmp, rho_ok[t], out=tmp)
        else:
            np.multiply(tmp, rho, out=tmp)
        np.add(err, tmp, out=err)
    s_idx = n_points % period if period else 0
    pred = ref + level.astype(np.float64) + PHI * trend.astype(np.float64) + season[s_idx]
    sigma = err.astype(np.float64) * MEAN_ABS_TO_SIGMA
    sigma = np.fmax(sigma, scale_floor(pred, sigma))
    with np.errstate(invalid="ignore"):
        z = (np.asarray(current, dtype=np.float64) - pred) / sigma
    z = np.where(seen >= params.min_history, z, np.nan)
    out = DetectorOutput(pred, sigma, z, point_kind(z))
    if deviations is None:
        return out, None
    deviations *= f32(CLIP)
    deviations[: start + params.min_history] = np.nan  # the warm-up of :func:`stream`
    deviations[~observed] = np.nan
    return out, deviations.T


def _loop_one(x: np.ndarray, period: int, warmup: int, min_history: int, level: float,
              season: list[float], err: float, seen: int, expected: np.ndarray,
              scales: np.ndarray, z: np.ndarray) -> None:
    """The recursion of :func:`stream` for a single series, in plain floats (much faster)."""
    trend = 0.0
    start = max(period, 1)
    values = x.tolist()
    out_e = [math.nan] * len(values)
    out_s = [math.nan] * len(values)
    out_z = [math.nan] * len(values)
    for t in range(start, len(values)):
        s_idx = t % period if period else 0
        s_t = season[s_idx]
        pred = level + PHI * trend + s_t
        sigma = err * MEAN_ABS_TO_SIGMA
        sigma = max(sigma, 1e-3 * abs(pred) + 1e-9, 1e-3 * sigma + 1e-9)
        xt = values[t]
        out_e[t] = pred
        out_s[t] = sigma
        missing = xt != xt  # NaN: taken as predicted exactly, the error scale stays
        resid = 0.0 if missing else xt - pred
        if t >= warmup and seen >= min_history and not missing:
            out_z[t] = resid / sigma
        clipped = min(max(resid, -CLIP * sigma), CLIP * sigma)
        xc = pred + clipped
        new_level = ALPHA * (xc - s_t) + (1 - ALPHA) * (level + PHI * trend)
        trend = BETA * (new_level - level) + (1 - BETA) * PHI * trend
        level = new_level
        if period:
            season[s_idx] = GAMMA * (xc - new_level) + (1 - GAMMA) * s_t
        if not missing:
            err = RHO * abs(clipped) + (1 - RHO) * err
            seen += 1
    expected[:] = out_e
    scales[:] = out_s
    z[:] = out_z
