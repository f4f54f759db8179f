import math

import datasketches as ds
import numpy as np
import pytest
from scipy import stats

from agent.profiling.drift import (
    DriftInputError,
    categorical_psi_drift,
    chi_square_drift,
    ks_distance,
    ks_drift,
    population_stability_index,
    psi_bins,
    psi_drift,
)
from agent.sketches import FrequentItems, QuantileSketch

RANK_ERROR = ds.kll_doubles_sketch.get_normalized_rank_error(200, False)


def _kll(values: np.ndarray) -> QuantileSketch:
    sketch = QuantileSketch()
    sketch.update(values)
    return sketch


def _categories(seed: int, shares: list[float], n: int = 50_000) -> FrequentItems:
    values = np.random.default_rng(seed).choice(["a", "b", "c", "d", "e"], size=n, p=shares)
    sketch = FrequentItems("string")
    distinct, counts = np.unique(values, return_counts=True)
    sketch.update(distinct, counts)
    return sketch


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_same_distribution_is_not_flagged(seed: int) -> None:
    rng = np.random.default_rng(seed)
    reference, current = _kll(rng.normal(size=200_000)), _kll(rng.normal(size=50_000))
    ks = ks_drift(reference, current)
    assert not ks.drifted and ks.p_value is not None and ks.p_value >= 0.05
    assert ks.statistic <= 2 * RANK_ERROR + 0.01
    psi = psi_drift(reference, current)
    assert not psi.drifted and psi.statistic < 0.02 and psi.p_value is None
    assert not ds.ks_test(reference.sketch, current.sketch, 0.05)


def test_shifted_distribution_is_flagged() -> None:
    rng = np.random.default_rng(10)
    reference = _kll(rng.normal(size=200_000))
    shifted = _kll(rng.normal(0.3, 1.0, size=50_000))
    ks = ks_drift(reference, shifted)
    assert ks.drifted and ks.p_value is not None and ks.p_value < 1e-6
    assert ks.method == "ks" and ks.threshold == 0.05
    assert ds.ks_test(reference.sketch, shifted.sketch, 0.05)
    moved = _kll(rng.normal(1.0, 1.0, size=50_000))
    psi = psi_drift(reference, moved)
    assert psi.drifted and psi.statistic > 0.5
    wider = psi_drift(reference, _kll(rng.normal(0.0, 2.0, size=50_000)))
    assert wider.drifted


def test_ks_distance_matches_exact_within_sketch_error() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.exponential(size=300_000), rng.exponential(1.2, size=300_000)
    exact = stats.ks_2samp(a, b).statistic
    assert abs(ks_distance(_kll(a), _kll(b)) - exact) <= 2 * RANK_ERROR


def test_ks_on_exact_sketches_matches_scipy_asymptotic_test() -> None:
    rng = np.random.default_rng(13)
    a, b = rng.normal(size=150), rng.normal(0.4, 1.0, size=120)
    expected = stats.ks_2samp(a, b, method="asymp")
    result = ks_drift(_kll(a), _kll(b))
    assert result.statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_ks_accepts_plain_datasketches_objects() -> None:
    a, b = ds.kll_doubles_sketch(200), ds.kll_doubles_sketch(200)
    a.update(np.arange(1000.0))
    b.update(np.arange(500.0, 1500.0))
    result = ks_drift(a, b, alpha=0.01)
    assert result.drifted and result.threshold == 0.01
    assert result.statistic == pytest.approx(0.5, abs=2 * RANK_ERROR)


def test_psi_bins_follow_reference_quantiles() -> None:
    reference = _kll(np.arange(1.0, 1001.0))
    edges = psi_bins(reference, 4)
    assert edges == pytest.approx([250.0, 500.0, 750.0], abs=1000 * RANK_ERROR)
    constant = _kll(np.full(100, 5.0))
    assert psi_bins(constant, 10) == [5.0]
    assert psi_drift(constant, _kll(np.full(100, 7.0))).drifted
    assert not psi_drift(constant, _kll(np.full(50, 5.0))).drifted


def test_population_stability_index_formula() -> None:
    expected = np.array([0.5, 0.5])
    actual = np.array([0.25, 0.75])
    manual = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert population_stability_index(expected, actual) == pytest.approx(manual)
    assert population_stability_index(expected, expected) == 0.0


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_categorical_same_distribution_is_not_flagged(seed: int) -> None:
    shares = [0.4, 0.3, 0.15, 0.1, 0.05]
    reference, current = _categories(seed, shares), _categories(seed + 100, shares)
    chi = chi_square_drift(reference, current)
    assert not chi.drifted and chi.p_value is not None and chi.p_value >= 0.05
    assert not categorical_psi_drift(reference, current).drifted


def test_categorical_shift_is_flagged_and_matches_scipy() -> None:
    reference = _categories(30, [0.4, 0.3, 0.15, 0.1, 0.05])
    current = _categories(31, [0.2, 0.3, 0.15, 0.1, 0.25])
    chi = chi_square_drift(reference, current)
    table = np.array(
        [
            [reference.sketch.get_estimate(c) for c in "abcde"],
            [current.sketch.get_estimate(c) for c in "abcde"],
        ]
    )
    expected = stats.chi2_contingency(table, correction=False)
    assert chi.drifted and chi.statistic == pytest.approx(expected.statistic)
    assert chi.p_value == pytest.approx(expected.pvalue)
    psi = categorical_psi_drift(reference, current)
    assert psi.drifted and psi.statistic > 0.2


def test_new_category_counts_and_single_category() -> None:
    reference, current = FrequentItems("string"), FrequentItems("string")
    reference.update(["x"] * 1000)
    current.update(["x"] * 900 + ["new"] * 100)
    assert chi_square_drift(reference, current).drifted
    same = FrequentItems("string")
    same.update(["x"] * 10)
    result = chi_square_drift(reference, same)
    assert (result.statistic, result.p_value, result.drifted) == (0.0, 1.0, False)


def test_bad_input() -> None:
    full = _kll(np.arange(10.0))
    with pytest.raises(DriftInputError, match="reference sketch is empty"):
        ks_drift(QuantileSketch(), full)
    with pytest.raises(DriftInputError, match="current sketch is empty"):
        psi_drift(full, QuantileSketch())
    with pytest.raises(DriftInputError, match="expected a KLL doubles sketch"):
        ks_drift(full, [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(DriftInputError, match="significance level"):
        ks_drift(full, full, alpha=1.5)
    with pytest.raises(DriftInputError, match="PSI threshold"):
        psi_drift(full, full, threshold=0)
    with pytest.raises(DriftInputError, match="PSI bins"):
        psi_drift(full, full, bins=1)
    words, numbers = FrequentItems("string"), FrequentItems("integer")
    words.update(["a"])
    numbers.update([1])
    with pytest.raises(DriftInputError, match="different item types"):
        chi_square_drift(words, numbers)
    with pytest.raises(DriftInputError, match="max_categories"):
        categorical_psi_drift(words, words, max_categories=0)
    with pytest.raises(DriftInputError, match="reference sketch is empty"):
        chi_square_drift(FrequentItems("string"), words)
