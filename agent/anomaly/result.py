"""Result types shared by the detectors, the ensemble and the agent."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class AnomalyType(IntEnum):
    """Kind of deviation; stored as small integers in vectorised outputs."""

    NONE = 0
    SPIKE = 1
    DROP = 2
    LEVEL_SHIFT = 3
    DRIFT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


SEVERITY_LEVELS: tuple[tuple[float, str], ...] = (
    (0.97, "critical"),
    (0.90, "high"),
    (0.75, "medium"),
    (0.50, "low"),
)
"""Lower score bound of each severity; below the alert threshold (0.5) the severity is "none"."""


def severity_from_score(score: float) -> str:
    """Severity label for an ensemble score in [0, 1] (0.5 is the default alert threshold)."""
    for bound, label in SEVERITY_LEVELS:
        if score >= bound:
            return label
    return "none"


@dataclass(frozen=True)
class DetectorOutput:
    """Vectorised output of one detector; every array has the same shape.

    ``expected`` is the model's prediction, ``scale`` the sigma-equivalent spread of normal
    values around it, ``z`` the signed standardised deviation of the observation (positive when
    above the expectation; NaN where the detector has not enough history) and ``kind`` an
    :class:`AnomalyType` code describing the deviation.
    """

    expected: np.ndarray
    scale: np.ndarray
    z: np.ndarray
    kind: np.ndarray


@dataclass(frozen=True)
class AnomalyResult:
    """Verdict on the latest point of one monitored series."""

    metric: str
    observed: float
    expected: float
    lower: float
    upper: float
    score: float
    confidence: float
    severity: str
    type: str
    method: str
    is_anomaly: bool
