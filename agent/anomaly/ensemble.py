"""Combining detector outputs into one calibrated score, band, type and confidence.

The ensemble asks two questions of every point:

- is it a point anomaly? Every point model (robust window baseline, seasonal baseline,
  Holt-Winters) must find it far from its expectation: the deviation used is the smallest
  |z| among the models that have an opinion, so a value explained by the season or by the
  recent trend is not an anomaly;
- has the level shifted? The CUSUM statistic, in the same z units.

The larger of the two, divided by the sensitivity's alert deviation, is mapped to [0, 1] by
:func:`agent.anomaly.calibration.score_from_z` (0.5 = alert threshold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from agent.anomaly import cusum, holt_winters, iqr, novelty, robust_zscore, seasonal, zscore
from agent.anomaly.calibration import ALERT_THRESHOLD, directional, score_from_z
from agent.anomaly.nanstats import quiet
from agent.anomaly.result import AnomalyType, DetectorOutput

DETECTORS = {
    m.NAME: m for m in (zscore, robust_zscore, iqr, novelty, seasonal, holt_winters, cusum)
}
ENSEMBLE_MEMBERS: tuple[str, ...] = ("robust_zscore", "novelty", "seasonal", "holt_winters")
POINT_MEMBERS: tuple[str, ...] = ("robust_zscore", "novelty", "seasonal", "holt_winters")
METHODS: tuple[str, ...] = ("ensemble", *DETECTORS)
SEASON_BLIND = frozenset({"robust_zscore"})


def members(method: str) -> tuple[str, ...]:
    """Detectors a method needs; ``auto`` is the ensemble."""
    if method in ("auto", "ensemble"):
        return ENSEMBLE_MEMBERS
    if method not in DETECTORS:
        raise ValueError(f"unknown anomaly method {method!r}; choose one of auto, "
                         + ", ".join(METHODS))
    return (method,)


@dataclass(frozen=True)
class Scored:
    """Calibrated verdicts; arrays share the shape of the detector outputs."""

    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    score: np.ndarray
    confidence: np.ndarray
    z: np.ndarray
    kind: np.ndarray

    @property
    def is_anomaly(self) -> np.ndarray:
        return np.asarray(self.score >= ALERT_THRESHOLD)


def _pick(stack: np.ndarray, index: np.ndarray) -> np.ndarray:
    return np.take_along_axis(stack, index[None, ...], axis=0)[0]


def combine(parts: Mapping[str, DetectorOutput], z_thr: np.ndarray | float,
            direction: str = "both") -> Scored:
    """Merge detector outputs (all the same shape) into calibrated verdicts."""
    names = [n for n in POINT_MEMBERS if n in parts] or [n for n in parts if n != "cusum"]
    z_thr_arr = np.asarray(z_thr, dtype=np.float64)
    if names:
        zs = np.stack([directional(parts[n].z, direction) for n in names])
        if "seasonal" in names:
            # where a season is known, the season-blind window models have no say
            seasonal_known = ~np.isnan(parts["seasonal"].z)
            for i, n in enumerate(names):
                if n in SEASON_BLIND:
                    zs[i] = np.where(seasonal_known, np.nan, zs[i])
                elif n == "novelty":
                    # beyond the window's range, measured in the season's (tighter) spread
                    nov = parts["novelty"]
                    with quiet():
                        excess = (np.abs(zs[i]) - novelty.NOVELTY_BASE) * nov.scale
                        rescaled = np.sign(zs[i]) * (
                            novelty.NOVELTY_BASE + excess / parts["seasonal"].scale)
                    zs[i] = np.where(seasonal_known & (zs[i] != 0), rescaled, zs[i])
        expected = np.stack([parts[n].expected for n in names])
        scales = np.stack([parts[n].scale for n in names])
        with quiet():
            abs_z = np.where(np.isnan(zs), np.inf, np.abs(zs))
            idx = np.argmin(abs_z, axis=0)
        z_point = _pick(zs, idx)
        exp_point = _pick(expected, idx)
        scale_point = _pick(scales, idx)
        if "seasonal" in names:
            # the band drawn for a seasonal series is the seasonal model's
            known = ~np.isnan(parts["seasonal"].z)
            exp_point = np.where(known, parts["seasonal"].expected, exp_point)
            scale_point = np.where(known, parts["seasonal"].scale, scale_point)
        kind = np.where(z_point > 0, AnomalyType.SPIKE, np.where(z_point < 0, AnomalyType.DROP, 0))
        with quiet():
            voters = np.count_nonzero(~np.isnan(zs), axis=0)
            agree = np.count_nonzero(np.abs(np.nan_to_num(zs)) >= z_thr_arr, axis=0)
    else:
        shape = parts["cusum"].z.shape
        z_point = np.full(shape, np.nan)
        exp_point = parts["cusum"].expected
        scale_point = parts["cusum"].scale
        kind = np.zeros(shape, dtype=np.int8)
        voters = np.zeros(shape, dtype=np.int64)
        agree = np.zeros(shape, dtype=np.int64)
    z = z_point
    if "cusum" in parts:
        z_shift = directional(parts["cusum"].z, direction)
        shift_wins = np.abs(np.nan_to_num(z_shift)) > np.abs(np.nan_to_num(z_point))
        z = np.where(shift_wins, z_shift, z_point)
        gradual = np.abs(np.nan_to_num(z_point)) < z_thr_arr
        kind = np.where(shift_wins, np.where(gradual, AnomalyType.DRIFT, AnomalyType.LEVEL_SHIFT),
                        kind)
        exp_point = np.where(np.isnan(exp_point), parts["cusum"].expected, exp_point)
        scale_point = np.where(np.isnan(scale_point), parts["cusum"].scale, scale_point)
        voters = voters + ~np.isnan(z_shift)
        agree = agree + (np.abs(np.nan_to_num(z_shift)) >= z_thr_arr)
    score = score_from_z(np.abs(z), z_thr_arr)
    flagged = score >= ALERT_THRESHOLD
    with quiet():
        agreement = np.where(flagged, agree / np.maximum(voters, 1),
                             1.0 - agree / np.maximum(voters, 1))
        coverage = voters / max(len(names) + ("cusum" in parts), 1)
    confidence = np.where(np.isnan(z), 0.0, np.clip(agreement * (0.5 + 0.5 * coverage), 0, 1))
    band = z_thr_arr * scale_point
    kind = np.where(flagged, kind, AnomalyType.NONE).astype(np.int8)
    return Scored(exp_point, exp_point - band, exp_point + band, score, confidence, z, kind)
