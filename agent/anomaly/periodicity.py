"""Season length detection: from the sampling interval (calendar seasons) and autocorrelation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.anomaly.nanstats import quiet

SECONDS_PER_DAY = 86_400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
MIN_AUTOCORRELATION = 0.3
"""Autocorrelation a candidate lag needs before it is taken as the season length."""
MIN_CYCLES = 2
MIN_PEAK = 0.2
"""How much a season's autocorrelation must exceed the autocorrelation at half its length.

A true cycle is out of phase at half its length (there the autocorrelation is low or negative);
a merely persistent series (random walk, slow drift) is more alike at half the lag than at the
full lag, so a short calendar lag is not mistaken for a season."""


def sampling_interval_seconds(timestamps: np.ndarray | Sequence[object] | None) -> float | None:
    """Median spacing of ``timestamps`` (datetime64 or anything numpy parses), None if unknown."""
    if timestamps is None or len(timestamps) < 2:
        return None
    ts = np.asarray(timestamps, dtype="datetime64[s]").astype(np.int64)
    step = float(np.median(np.diff(ts)))
    return step if step > 0 else None


def calendar_periods(step_seconds: float | None, seasonality: str) -> list[int]:
    """Season lengths in points implied by ``seasonality`` at the given sampling interval."""
    if step_seconds is None or seasonality == "none":
        return []
    hour = round(3600 / step_seconds)
    day = round(SECONDS_PER_DAY / step_seconds)
    week = round(SECONDS_PER_WEEK / step_seconds)
    by_name = {
        "hour_of_day": [day] if step_seconds < SECONDS_PER_DAY else [],
        "day_of_week": [week] if step_seconds <= SECONDS_PER_DAY else [],
        "hour_of_week": [week] if step_seconds < SECONDS_PER_DAY else [],
    }
    if seasonality == "auto":
        return sorted({p for p in (hour, day, week) if p >= 2 and step_seconds <= SECONDS_PER_DAY})
    return [p for p in by_name.get(seasonality, []) if p >= 2]


def autocorrelation(values: np.ndarray, lag: int) -> np.ndarray:
    """Autocorrelation of each row of ``values`` (S, T) at ``lag`` (NaN counted as the mean)."""
    x = np.atleast_2d(values)
    if lag <= 0 or lag >= x.shape[-1]:
        return np.zeros(x.shape[0])
    with quiet():
        mean = np.nanmean(x, axis=-1, keepdims=True)
    c = np.nan_to_num(x - mean)
    num = (c[:, lag:] * c[:, :-lag]).sum(axis=-1)
    den = (c * c).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(den > 0, num / den, 0.0))


def autocorrelation_candidates(n_points: int, max_lag: int | None = None) -> list[int]:
    """Lags worth testing when no timestamps are known: 2 .. n/MIN_CYCLES."""
    top = n_points // MIN_CYCLES if max_lag is None else min(max_lag, n_points // MIN_CYCLES)
    return list(range(2, top + 1))


def detect_period(values: np.ndarray, candidates: Sequence[int]) -> np.ndarray:
    """Per row of ``values`` (S, T): the candidate lag with the highest autocorrelation.

    A lag needs MIN_CYCLES full cycles of data, an autocorrelation of at least
    MIN_AUTOCORRELATION and one at least MIN_PEAK above the autocorrelation at half the lag;
    rows where no candidate qualifies get 0 (no season).
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_series, n_points = x.shape
    best = np.zeros(n_series, dtype=np.int64)
    best_ac = np.full(n_series, MIN_AUTOCORRELATION)
    usable = [lag for lag in candidates if lag * MIN_CYCLES <= n_points]
    if not usable:
        return best
    observed = ~np.isnan(x)
    filled = np.where(observed, x, 0.0)
    count = np.maximum(np.count_nonzero(observed, axis=-1), 1)
    mean = filled.sum(axis=-1) / count
    # float32 products halve the memory traffic; a correlation needs no more precision
    centred = np.where(observed, filled - mean[:, None], 0.0).astype(np.float32)
    energy = np.einsum("ij,ij->i", centred, centred)

    cache: dict[int, np.ndarray] = {}

    def ac_at(lag: int) -> np.ndarray:
        if lag not in cache:
            num = np.einsum("ij,ij->i", centred[:, lag:], centred[:, :-lag])
            with np.errstate(invalid="ignore", divide="ignore"):
                cache[lag] = np.asarray(np.where(energy > 0, num / energy, 0.0), np.float64)
        return cache[lag]

    for lag in usable:
        ac = ac_at(lag)
        half = ac_at(lag // 2) if lag >= 2 else np.zeros(n_series)
        better = (ac > best_ac) & (ac - half >= MIN_PEAK)
        best[better] = lag
        best_ac[better] = ac[better]
    return best
