"""The final verdict on a point: anomaly likelihood, with the point ensemble as a safety net.

Shared by the streaming scorer and the latest-point path so both decide the same way:

- where the likelihood has a long enough record (``lz`` not NaN), the score is the likelihood's,
  0.5 at ``LIKELIHOOD_Z`` (scaled by the sensitivity like every alert deviation);
- before that, the point ensemble's score stands alone;
- a point the point ensemble finds EXTREME_FACTOR times beyond its alert deviation is anomalous
  whatever the likelihood says (one huge spike barely moves a short-term average: its raw
  deviation is clipped at ``likelihood.RAW_CLIP``).

The type is spike or drop when the point itself is beyond the alert deviation, otherwise
level_shift (the recent behaviour changed without one extreme point).
"""

from __future__ import annotations

import numpy as np

from agent.anomaly.calibration import ALERT_THRESHOLD, BASE_Z, score_from_z
from agent.anomaly.ensemble import Scored
from agent.anomaly.likelihood import LIKELIHOOD_Z
from agent.anomaly.result import AnomalyType

EXTREME_FACTOR = 6.0
"""Multiple of the alert deviation at which a single point alerts on its own."""


def likelihood_verdict(point: Scored, lz: np.ndarray, z_thr: np.ndarray | float) -> Scored:
    """``point`` (the point ensemble's verdicts) with score and type from the likelihood ``lz``."""
    z_thr_arr = np.asarray(z_thr, dtype=np.float64)
    likely = score_from_z(np.fmax(lz, 0.0), LIKELIHOOD_Z * z_thr_arr / BASE_Z)
    score = np.where(np.isnan(lz), point.score, likely)
    abs_z = np.abs(np.nan_to_num(point.z))
    score = np.fmax(score, score_from_z(abs_z, EXTREME_FACTOR * z_thr_arr))
    anomalous = score >= ALERT_THRESHOLD
    extreme = abs_z >= z_thr_arr
    kind = np.where(~anomalous, AnomalyType.NONE,
                    np.where(~extreme, AnomalyType.LEVEL_SHIFT,
                             np.where(point.z > 0, AnomalyType.SPIKE, AnomalyType.DROP)))
    return Scored(point.expected, point.lower, point.upper, score, point.confidence, point.z,
                  kind.astype(np.int8))
