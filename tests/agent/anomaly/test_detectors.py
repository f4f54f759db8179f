"""Each detector on synthetic series: spikes found, noise quiet, seasons respected, shifts found."""

from __future__ import annotations

import numpy as np
import pytest

from agent.anomaly import cusum, holt_winters, iqr, novelty, robust_zscore, seasonal, zscore
from agent.anomaly.params import DetectorParams

P = DetectorParams(training_window=720, min_history=24, period=0)
WINDOWED = [zscore, robust_zscore, iqr, novelty]


def noise(n_series: int = 4, n_points: int = 500, seed: int = 0) -> np.ndarray:
    return 100 + np.random.default_rng(seed).normal(0, 1, (n_series, n_points))


@pytest.mark.parametrize("module", [*WINDOWED, holt_winters])
def test_spike_found_and_noise_quiet(module: object) -> None:
    x = noise()
    current = np.array([100.5, 99.5, 112.0, 88.0])
    out = module.detect(x, current, P)  # type: ignore[attr-defined]
    assert abs(out.z[0]) < 3 and abs(out.z[1]) < 3
    assert out.z[2] > 5 and out.z[3] < -5
    assert out.kind[2] == 1 and out.kind[3] == 2


def test_seasonal_respects_season() -> None:
    t = np.arange(24 * 20)
    x = (100 + 20 * np.sin(2 * np.pi * t / 24))[None, :] + noise(1, len(t))[0] - 100
    params = DetectorParams(720, 24, 24)
    peak = 100 + 20 * np.sin(2 * np.pi * len(t) / 24)
    normal = seasonal.detect(x, np.array([peak]), params)
    off = seasonal.detect(x, np.array([peak - 15]), params)
    assert abs(normal.z[0]) < 3
    assert off.z[0] < -5
    # a season-blind detector cannot tell: the same value is ordinary for the whole window
    assert abs(robust_zscore.detect(x, np.array([peak - 15]), P).z[0]) < 3


def test_cusum_finds_level_shift_not_noise() -> None:
    x = noise(2, 600)
    x[1, 400:] += 2.0  # a shift of 2 sigma: too small for point detectors
    out = cusum.stream(x, P)
    assert np.nanmax(np.abs(out.z[0])) < cusum.Z_AT_H
    after = out.z[1, 400:460]
    assert np.nanmax(after) >= cusum.Z_AT_H
    assert robust_zscore.detect(x[1:, :420], x[1:, 420], P).z[0] < 4


def test_min_history_abstains() -> None:
    x = noise(1, 10)
    for module in [*WINDOWED, holt_winters]:
        assert np.isnan(module.detect(x, np.array([150.0]), P).z[0])


def test_flat_series_does_not_divide_by_zero() -> None:
    x = np.full((1, 200), 5.0)
    for module in [*WINDOWED, holt_winters]:
        same = module.detect(x, np.array([5.0]), P)
        jump = module.detect(x, np.array([9.0]), P)
        assert abs(same.z[0]) < 1 and jump.z[0] > 10


@pytest.mark.parametrize("module", [*WINDOWED, seasonal, holt_winters, cusum])
def test_vectorised_equals_per_series(module: object) -> None:
    x = noise(5, 300, seed=3)
    x[1, 50] = np.nan
    x[2, 100:120] = np.nan
    x[3, -1] += 9
    params = DetectorParams(720, 24, 24)
    together = module.detect(x[:, :-1], x[:, -1], params)  # type: ignore[attr-defined]
    for i in range(len(x)):
        alone = module.detect(x[i : i + 1, :-1], x[i : i + 1, -1], params)  # type: ignore[attr-defined]
        np.testing.assert_allclose(together.z[i], alone.z[0], rtol=1e-9, equal_nan=True)
        np.testing.assert_allclose(together.expected[i], alone.expected[0], rtol=1e-9,
                                   equal_nan=True)


@pytest.mark.parametrize("module", [holt_winters, cusum])
def test_streaming_is_causal(module: object) -> None:
    x = noise(1, 300, seed=5)
    full = module.stream(x, P)  # type: ignore[attr-defined]
    changed = x.copy()
    changed[0, 200:] += 50
    partial = module.stream(changed, P)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(full.z[0, :200], partial.z[0, :200])
    assert not np.allclose(np.nan_to_num(full.z[0, 200:]), np.nan_to_num(partial.z[0, 200:]))


def test_holt_winters_scalar_path_matches_vector_path() -> None:
    x = noise(3, 200, seed=7)
    x[1, 30] = np.nan
    params = DetectorParams(720, 24, 24)
    together = holt_winters.stream(x, params)
    alone = holt_winters.stream(x[1:2], params)
    np.testing.assert_allclose(together.z[1], alone.z[0], rtol=1e-9, equal_nan=True)
