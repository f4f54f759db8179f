"""The latest-point fast paths agree with the reference computations they replace."""

from __future__ import annotations

import numpy as np

from agent.anomaly import holt_winters, score_latest
from agent.anomaly.params import DetectorParams

HOURS = np.datetime64("2024-01-01T00:00") + np.arange(24 * 30) * np.timedelta64(1, "h")


def test_float32_holt_winters_matches_float64_stream_on_large_offsets() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(600)
    base = 1.7e9 + 3600.0 * t  # epoch-seconds-like values: float32 alone would lose them
    x = base[None, :] + 20 * np.sin(2 * np.pi * t / 24)[None, :] + rng.normal(0, 5, (3, 600))
    x[1, 200:205] = np.nan
    params = DetectorParams(720, 24, 24)
    latest = holt_winters.detect(x[:, :-1], x[:, -1], params)
    reference = holt_winters.stream(x, params)
    np.testing.assert_allclose(latest.expected, reference.expected[:, -1], rtol=1e-9)
    np.testing.assert_allclose(latest.z, reference.z[:, -1], atol=0.05)


def test_missing_points_move_the_state_on_in_every_path() -> None:
    rng = np.random.default_rng(6)
    x = 100 + 0.5 * np.arange(300)[None, :] + rng.normal(0, 1, (2, 300))
    x[:, 250:260] = np.nan  # a gap in a trending series
    params = DetectorParams(720, 24, 0)
    together = holt_winters.stream(x, params)
    alone = holt_winters.stream(x[:1], params)  # the scalar path
    np.testing.assert_allclose(together.expected[0], alone.expected[0], rtol=1e-9)
    latest = holt_winters.detect(x[:, :-1], x[:, -1], params)
    np.testing.assert_allclose(latest.expected, together.expected[:, -1], rtol=1e-6)
    # after the gap the forecast has followed the trend, so the next point is ordinary
    assert abs(together.z[0, 261]) < 3


def test_mixed_seasonal_and_plain_series_score_as_if_alone() -> None:
    rng = np.random.default_rng(8)
    t = np.arange(len(HOURS))
    seasonal = 1000 + 200 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 5, len(t))
    plain = 50 + rng.normal(0, 1, len(t))
    plain_spike = plain.copy()
    plain_spike[-1] += 12
    x = np.stack([seasonal, plain, plain_spike, seasonal + 300 * (t == t[-1])])
    together = score_latest(x, HOURS)
    for i in range(len(x)):
        alone = score_latest(x[i : i + 1], HOURS)
        np.testing.assert_allclose(together.score[i], alone.score[0], rtol=1e-9)
        np.testing.assert_allclose(together.expected[i], alone.expected[0], rtol=1e-9)
    assert together.is_anomaly.tolist() == [False, False, True, True]
