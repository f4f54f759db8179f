"""Streaming evaluation of window detectors: every point scored from the points before it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from agent.anomaly.nanstats import causal_windows, valid_count
from agent.anomaly.params import DetectorParams
from agent.anomaly.result import DetectorOutput

LatestFn = Callable[[np.ndarray, np.ndarray, DetectorParams], DetectorOutput]

_CHUNK_CELLS = 4_000_000
"""Window cells materialised at once (bounds memory to a few tens of MB per chunk)."""


def stream_windows(values: np.ndarray, params: DetectorParams, latest: LatestFn) -> DetectorOutput:
    """Apply ``latest`` at every point of ``values`` (S, T) using its ``training_window`` past."""
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_series, n_points = values.shape
    window = max(1, min(params.training_window, n_points))
    views = causal_windows(values, window)
    step = max(1, _CHUNK_CELLS // max(1, window * n_series))
    parts: list[DetectorOutput] = []
    for start in range(0, n_points, step):
        stop = min(n_points, start + step)
        hist = views[:, start:stop, :].reshape(-1, window)
        cur = values[:, start:stop].reshape(-1)
        parts.append(latest(hist, cur, params))
    shape = (n_series, n_points)
    return DetectorOutput(
        expected=np.concatenate([p.expected.reshape(n_series, -1) for p in parts], axis=1),
        scale=np.concatenate([p.scale.reshape(n_series, -1) for p in parts], axis=1),
        z=np.concatenate([p.z.reshape(n_series, -1) for p in parts], axis=1).reshape(shape),
        kind=np.concatenate([p.kind.reshape(n_series, -1) for p in parts], axis=1),
    )


def point_kind(z: np.ndarray) -> np.ndarray:
    """Spike above, drop below the expectation; NONE where z is NaN or zero."""
    kind = np.zeros(z.shape, dtype=np.int8)
    kind[z > 0] = 1
    kind[z < 0] = 2
    return kind


def enough_history(history: np.ndarray, params: DetectorParams,
                   count: np.ndarray | None = None) -> np.ndarray:
    """Rows with at least ``min_history`` points (``count``: their non-NaN values, if known)."""
    n = valid_count(history) if count is None else count
    return np.asarray(n >= params.min_history)
