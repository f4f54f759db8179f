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


def _lasting_shift(n_series: int, delta: float, seed: int = 10) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = 200 + rng.normal(0, 3, (n_series, 720))
    x[:, -8:] += delta  # 8 points of a lasting change, none extreme on its own
    return x


def test_latest_path_sees_a_lasting_change_the_point_ensemble_misses() -> None:
    x = _lasting_shift(2, 12.0)
    x[1] = _lasting_shift(1, 0.0, seed=11)[0]
    scored = score_latest(x, HOURS)
    assert scored.is_anomaly.tolist() == [True, False]
    assert scored.kind[0] == 3  # level_shift: no single point beyond the alert deviation
    assert abs(scored.z[0]) < 4 * 1.5  # the point ensemble alone would not alert


def test_latest_path_honours_direction_for_lasting_changes() -> None:
    drop = _lasting_shift(1, -12.0)
    from agent.anomaly import AnomalyConfig

    assert score_latest(drop, HOURS).is_anomaly[0]
    assert not score_latest(drop, HOURS, AnomalyConfig(direction="spike")).is_anomaly[0]
    assert score_latest(drop, HOURS, AnomalyConfig(direction="drop")).is_anomaly[0]


def test_short_history_falls_back_to_the_point_ensemble() -> None:
    rng = np.random.default_rng(12)
    x = 50 + rng.normal(0, 1, (2, 200))  # too short for a record of deviations
    x[0, -1] += 9
    x[1, -6:] += 3  # a small lasting change: needs the likelihood, which has no record yet
    scored = score_latest(x, HOURS[:200])
    assert scored.is_anomaly.tolist() == [True, False]
