"""Turning standardised deviations into scores in [0, 1], sensitivity and user feedback."""

from __future__ import annotations

import numpy as np

BASE_Z = 4.0
"""Deviation (in sigma-equivalents) at which the default sensitivity (0.5) raises an alert."""
ALERT_THRESHOLD = 0.5
"""Score at or above which a point is anomalous; the same for every series and method."""
STEEPNESS = 6.0
FEEDBACK_FACTOR = 0.8
MIN_SENSITIVITY = 0.05


def z_threshold(sensitivity: float | np.ndarray) -> np.ndarray:
    """Alert deviation for a sensitivity in (0, 1]: 0.5 -> BASE_Z, 1 -> BASE_Z/2, 0 -> 2*BASE_Z."""
    s = np.clip(np.asarray(sensitivity, dtype=np.float64), 0.0, 1.0)
    return np.asarray(BASE_Z * 2.0 ** (1.0 - 2.0 * s))


def score_from_z(z_abs: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """Logistic map of |z| with 0.5 exactly at ``threshold``; NaN (no verdict) scores 0."""
    ratio = np.nan_to_num(np.asarray(z_abs, dtype=np.float64) / threshold, nan=0.0)
    with np.errstate(over="ignore"):
        score = 1.0 / (1.0 + np.exp(-STEEPNESS * (ratio - 1.0)))
    return np.asarray(np.where(np.isnan(z_abs), 0.0, score))


def feedback_sensitivity(sensitivity: float, false_positives: int) -> float:
    """Sensitivity after ``false_positives`` user-marked false alarms on the series.

    Each mark multiplies the sensitivity by FEEDBACK_FACTOR (so the alert band widens), down to
    MIN_SENSITIVITY.
    """
    if false_positives < 0:
        raise ValueError("false_positives must be >= 0")
    return max(MIN_SENSITIVITY, sensitivity * FEEDBACK_FACTOR**false_positives)


def directional(z: np.ndarray, direction: str) -> np.ndarray:
    """Keep only deviations in ``direction`` (both | spike | drop); others become 0."""
    if direction == "both":
        return z
    if direction == "spike":
        return np.where(z > 0, z, np.where(np.isnan(z), np.nan, 0.0))
    if direction == "drop":
        return np.where(z < 0, z, np.where(np.isnan(z), np.nan, 0.0))
    raise ValueError(f"direction must be both, spike or drop, not {direction!r}")
