"""Freshness SLA compliance from (timestamp, age) observations: intervals, gaps and edges."""

from __future__ import annotations

import numpy as np
import pytest

from agent.sla.compliance import compliance


def test_always_fresh_is_fully_compliant() -> None:
    points = [(float(t), 10.0) for t in range(0, 600, 60)]
    result = compliance(points, sla_seconds=100, start=0, end=600, horizon=120)
    assert result.covered_seconds == 600
    assert result.ratio == 1.0


def test_age_grows_from_the_observation_until_the_sla_is_breached() -> None:
    # Age 50 at t=0, SLA 100: within the SLA until t=50, then stale.
    result = compliance([(0.0, 50.0)], sla_seconds=100, start=0, end=200, horizon=1000)
    assert result.covered_seconds == 200
    assert result.within_seconds == 50
    assert result.ratio == 0.25


def test_observation_already_beyond_the_sla_counts_as_stale() -> None:
    result = compliance([(0.0, 150.0), (60.0, 150.0)], sla_seconds=100, start=0, end=120,
                        horizon=120)
    assert result.covered_seconds == 120
    assert result.ratio == 0.0


def test_recovery_between_two_runs() -> None:
    # Age 90 at t=0 breaches at t=10; new data seen at t=60 (age 0) is within until t=160.
    result = compliance([(0.0, 90.0), (60.0, 0.0)], sla_seconds=100, start=0, end=120,
                        horizon=120)
    assert result.within_seconds == pytest.approx(10 + 60)
    assert result.ratio == pytest.approx(70 / 120)


def test_gap_longer_than_the_horizon_is_left_out() -> None:
    # The agent was down between t=120 and t=1000: that time counts neither way.
    result = compliance([(0.0, 0.0), (1000.0, 0.0)], sla_seconds=100, start=0, end=1100,
                        horizon=120)
    assert result.covered_seconds == 120 + 100
    assert result.within_seconds == 100 + 100
    assert result.ratio == pytest.approx(200 / 220)


def test_observation_before_the_window_covers_its_start() -> None:
    # Age 0 at t=-50, SLA 100: within until t=50, i.e. half of [0, 100).
    result = compliance([(-50.0, 0.0)], sla_seconds=100, start=0, end=100, horizon=200)
    assert result.covered_seconds == 100
    assert result.ratio == 0.5


def test_observation_too_old_to_cover_the_window_gives_no_ratio() -> None:
    result = compliance([(-300.0, 0.0)], sla_seconds=100, start=0, end=100, horizon=200)
    assert result.covered_seconds == 0
    assert result.ratio is None


def test_observations_at_or_after_the_end_are_ignored() -> None:
    assert compliance([(100.0, 0.0), (150.0, 0.0)], 100, 0, 100, 60).ratio is None
    only_before = compliance([(40.0, 500.0), (100.0, 0.0)], 100, 0, 100, 120)
    assert only_before.covered_seconds == 60 and only_before.ratio == 0.0


def test_no_observations_and_empty_windows() -> None:
    assert compliance([], 100, 0, 100, 60).ratio is None
    assert compliance([(0.0, 0.0)], 100, 100, 100, 60).covered_seconds == 0
    assert compliance([(0.0, 0.0)], 100, 100, 50, 60).covered_seconds == 0


def test_order_of_the_observations_does_not_matter() -> None:
    points = [(0.0, 90.0), (60.0, 0.0), (120.0, 30.0), (180.0, 200.0)]
    forward = compliance(points, 100, 0, 240, 120)
    backward = compliance(list(reversed(points)), 100, 0, 240, 120)
    assert forward == backward


def test_matches_a_brute_force_sampling_of_the_age() -> None:
    """The interval arithmetic agrees with sampling the age every 0.5 s on a random history."""
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(-200, 2000, 60))
    ages = rng.uniform(0, 150, 60)
    points = list(zip(times.tolist(), ages.tolist(), strict=True))
    sla, start, end, horizon = 100.0, 0.0, 1800.0, 90.0
    result = compliance(points, sla, start, end, horizon)

    grid = np.arange(start, end, 0.5) + 0.25
    covered = within = 0
    for t in grid:
        before = [(ts, age) for ts, age in points if ts <= t]
        if not before or t - before[-1][0] > horizon:
            continue
        ts, age = before[-1]
        covered += 1
        within += age + (t - ts) <= sla
    assert result.covered_seconds == pytest.approx(covered * 0.5, abs=1.0)
    assert result.ratio == pytest.approx(within / covered, abs=0.005)
