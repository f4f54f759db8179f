"""Anomaly likelihood, alert onsets with hold-off, and the season-length peak test."""

from __future__ import annotations

import numpy as np

from agent.anomaly import score_latest, score_stream
from agent.anomaly.likelihood import (
    HOLD_OFF,
    LIKELIHOOD_Z,
    MIN_LONG,
    combined_likelihood,
    latest_likelihood,
    likelihood_z,
    onsets,
    rolling_mean,
)
from agent.anomaly.periodicity import detect_period
from agent.anomaly.result import AnomalyType

FIVE_MIN = np.datetime64("2024-01-01T00:00") + np.arange(3000) * np.timedelta64(5, "m")


def test_rolling_mean_is_causal_and_skips_nan() -> None:
    a = np.array([1.0, 3.0, np.nan, 5.0, 7.0])
    mean, count = rolling_mean(a, 2)
    np.testing.assert_allclose(mean, [1.0, 2.0, 3.0, 5.0, 6.0])
    np.testing.assert_array_equal(count, [1, 2, 1, 1, 2])
    changed = a.copy()
    changed[4] = 100.0  # a later value never changes earlier means
    np.testing.assert_allclose(rolling_mean(changed, 2)[0][:4], mean[:4])


def test_likelihood_waits_for_long_history_then_sees_sustained_excess() -> None:
    rng = np.random.default_rng(3)
    raw = np.abs(rng.normal(0, 1, 2000))
    raw[1500:1530] += 4.0  # deviations sustained for 30 points
    lz = likelihood_z(raw)
    assert np.isnan(lz[: MIN_LONG]).all()
    assert np.nanmax(lz[1400:1500]) < LIKELIHOOD_Z
    assert np.nanmax(lz[1500:1530]) > LIKELIHOOD_Z


def test_likelihood_of_a_noisy_series_does_not_fire_on_its_usual_noise() -> None:
    rng = np.random.default_rng(5)
    noisy = np.abs(rng.standard_cauchy(3000))  # heavy-tailed raw deviations every day
    assert np.nanmax(likelihood_z(noisy)) < LIKELIHOOD_Z


def test_combined_likelihood_takes_the_most_surprised_detector() -> None:
    rng = np.random.default_rng(9)
    quiet = np.abs(rng.normal(0, 1, 1500))
    shifted = quiet.copy()
    shifted[1200:1220] += 5.0
    combined = combined_likelihood([quiet, shifted])
    np.testing.assert_allclose(combined[1210], likelihood_z(shifted)[1210])
    all_nan = combined_likelihood([np.full(10, np.nan), np.full(10, np.nan)])
    assert np.isnan(all_nan).all()


def test_onsets_hold_off_repeats() -> None:
    anomalous = np.zeros((2, 1000), dtype=bool)
    anomalous[0, [10, 11, 12, 10 + HOLD_OFF, 11 + HOLD_OFF]] = True
    anomalous[1, 500] = True
    flags = onsets(anomalous)
    assert np.flatnonzero(flags[0]).tolist() == [10, 11 + HOLD_OFF]
    assert np.flatnonzero(flags[1]).tolist() == [500]


def test_stream_reports_a_level_shift_once_at_its_start() -> None:
    rng = np.random.default_rng(11)
    x = 50 + rng.normal(0, 2, 3000)
    x[2400:] += 12  # a lasting shift: each point is only 6 sigma off, inside a wide band later
    flags = score_stream(x, FIVE_MIN.astype(str)).flag
    hits = np.flatnonzero(flags)
    assert hits.size >= 1
    assert 2400 <= hits[0] <= 2420  # reported within a few points of the change
    assert not flags[:2400].any()
    assert np.count_nonzero(flags[2400 : 2400 + HOLD_OFF]) == 1


def test_period_detection_rejects_persistence_but_keeps_true_cycles() -> None:
    rng = np.random.default_rng(2)
    walk = np.cumsum(rng.normal(0, 1, (1, 2000)), axis=1)  # lag-12 autocorrelation is high
    assert detect_period(walk, [12, 288])[0] == 0
    t = np.arange(2000)
    daily = 10 * np.sin(2 * np.pi * t / 288)[None, :] + rng.normal(0, 1, (1, 2000))
    assert detect_period(daily, [12, 288])[0] == 288


def _shifted_series(n: int = 1500, at: int = 1400, seed: int = 13) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = 50 + rng.normal(0, 2, n)
    x[at:] += 10  # 5 sigma: inside the band of a noisy day, but lasting
    return x


def test_latest_likelihood_matches_the_stream_likelihood_at_the_last_point() -> None:
    rng = np.random.default_rng(21)
    raw = np.abs(rng.normal(0, 1, (4, 721)))
    raw[1, -6:] += 3.0
    raw[2, 100:110] = np.nan
    raw[3] = np.abs(rng.standard_cauchy(721))
    latest = latest_likelihood([raw[:, :-1]], [raw[:, -1]])
    stream = likelihood_z(raw)[:, -1]
    # the same statistic; the latest path leaves out the 14 partial windows at the start and
    # samples every LATEST_STRIDE-th window for the long-term spread
    np.testing.assert_allclose(latest, stream, rtol=0.06, atol=0.1)
    assert latest[1] > LIKELIHOOD_Z and latest[0] < 2


def test_agent_path_and_stream_both_catch_a_lasting_shift_soon_after_it_starts() -> None:
    x = _shifted_series()
    ts = np.datetime64("2024-01-01T00:00") + np.arange(len(x)) * np.timedelta64(5, "m")
    stream_hits = np.flatnonzero(score_stream(x, ts.astype(str)).flag)
    assert stream_hits.size and 1400 <= stream_hits[0] <= 1415
    # the agent judges each new point from its last 720 points of history
    ends = np.arange(1380, 1420)
    windows = np.stack([x[e - 720 : e + 1] for e in ends])
    agent = score_latest(windows, ts[:721])
    first = ends[np.flatnonzero(agent.is_anomaly)]
    assert first.size and 1400 <= first[0] <= 1415
    assert not agent.is_anomaly[ends < 1400].any()
    assert agent.kind[np.flatnonzero(agent.is_anomaly)[0]] in (
        AnomalyType.LEVEL_SHIFT, AnomalyType.SPIKE)


def test_one_huge_spike_alerts_in_the_stream_too() -> None:
    rng = np.random.default_rng(17)
    x = 100 + rng.normal(0, 1, 2000)
    x[1700] = 400  # one point: a short-term average alone would dilute it
    flags = score_stream(x, FIVE_MIN[:2000].astype(str)).flag
    assert flags[1700]
    assert np.count_nonzero(flags) == 1
