"""Drift statistics between a reference and a current sketch.

Numeric columns: Kolmogorov-Smirnov distance between two KLL sketches with an approximate
p-value, and PSI over the reference's quantile bins. Categorical columns: chi-square and PSI over
frequent-items counts. Every function is pure and returns a ``DriftResult``.

Threshold meaning: for "ks" and "chi_square" it is the significance level (drifted when
p_value < threshold); for the PSI methods it is the PSI value above which the column drifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import datasketches as ds
import numpy as np

from agent.sketches.errors import SketchError
from agent.sketches.frequent import FrequentItems
from agent.sketches.kll import QuantileSketch

DriftMethod = Literal["ks", "psi", "chi_square", "categorical_psi"]
DEFAULT_ALPHA = 0.05
DEFAULT_PSI_THRESHOLD = 0.2
DEFAULT_PSI_BINS = 10
PSI_FLOOR = 1e-4
OTHER = "__other__"

KllLike: TypeAlias = QuantileSketch | ds.kll_doubles_sketch
FrequentLike: TypeAlias = FrequentItems | ds.frequent_strings_sketch | ds.frequent_items_sketch


class DriftInputError(SketchError):
    """A drift statistic cannot be computed from the given sketches or settings."""


@dataclass(frozen=True)
class DriftResult:
    method: DriftMethod
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool


def _kll(sketch: KllLike, role: str) -> ds.kll_doubles_sketch:
    raw = sketch.sketch if isinstance(sketch, QuantileSketch) else sketch
    if not isinstance(raw, ds.kll_doubles_sketch):
        raise DriftInputError(f"{role} sketch: expected a KLL doubles sketch, got {type(sketch).__name__}")
    if raw.is_empty():
        raise DriftInputError(f"{role} sketch is empty: profile some non-null values first")
    return raw


def _frequent(sketch: FrequentLike, role: str) -> ds.frequent_strings_sketch:
    raw = sketch.sketch if isinstance(sketch, FrequentItems) else sketch
    if not isinstance(raw, ds.frequent_strings_sketch | ds.frequent_items_sketch):
        raise DriftInputError(f"{role} sketch: expected a frequent-items sketch, got {type(sketch).__name__}")
    if raw.is_empty():
        raise DriftInputError(f"{role} sketch is empty: profile some non-null values first")
    return raw


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0.0 < alpha < 1.0:
        raise DriftInputError(f"drift threshold (significance level): expected 0 < alpha < 1, got {alpha!r}")
    return float(alpha)


def _check_psi_threshold(threshold: float) -> float:
    if not isinstance(threshold, int | float) or not threshold > 0.0:
        raise DriftInputError(f"PSI threshold: expected a positive number, got {threshold!r}")
    return float(threshold)


def _retained(sketch: ds.kll_doubles_sketch) -> np.ndarray:
    return np.fromiter((value for value, _ in sketch), dtype=np.float64)


def ks_distance(reference: KllLike, current: KllLike) -> float:
    """Largest gap between the two sketches' CDFs (evaluated where either CDF steps)."""
    ref, cur = _kll(reference, "reference"), _kll(current, "current")
    points = np.union1d(_retained(ref), _retained(cur))
    points = points[~np.isnan(points)].tolist()
    ref_cdf = np.asarray(ref.get_cdf(points, True)[:-1])
    cur_cdf = np.asarray(cur.get_cdf(points, True)[:-1])
    return float(np.abs(ref_cdf - cur_cdf).max())


def _rank_error(sketch: ds.kll_doubles_sketch) -> float:
    return float(sketch.normalized_rank_error(False)) if sketch.is_estimation_mode() else 0.0


def ks_drift(reference: KllLike, current: KllLike, alpha: float = DEFAULT_ALPHA) -> DriftResult:
    """Two-sample KS test on sketches. ``statistic`` is the sketch KS distance D; the p-value
    uses D minus both sketches' rank errors (so sketch error alone never signals drift) and the
    KS distribution (scipy ``kstwo``) at the effective sample size n*m/(n+m)."""
    alpha = _check_alpha(alpha)
    ref, cur = _kll(reference, "reference"), _kll(current, "current")
    distance = ks_distance(ref, cur)
    adjusted = max(0.0, distance - _rank_error(ref) - _rank_error(cur))
    n, m = int(ref.n), int(cur.n)
    effective = max(1, round(n * m / (n + m)))
    from scipy import stats  # SciPy is imported on use: it takes a second to import
    p_value = float(stats.kstwo.sf(adjusted, effective)) if adjusted > 0 else 1.0
    return DriftResult("ks", distance, p_value, alpha, p_value < alpha)


def psi_bins(reference: KllLike, bins: int = DEFAULT_PSI_BINS) -> list[float]:
    """Split points at the reference's 1/bins, 2/bins, ... quantiles (duplicates dropped)."""
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 1000:
        raise DriftInputError(f"PSI bins: expected an integer between 2 and 1000, got {bins!r}")
    ref = _kll(reference, "reference")
    ranks = [i / bins for i in range(1, bins)]
    edges = np.unique(np.asarray(ref.get_quantiles(ranks, True), dtype=np.float64))
    edges = edges[~np.isnan(edges)]
    if edges.size == 0:
        return [float(ref.get_min_value())]
    return [float(e) for e in edges]


def population_stability_index(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI = sum((a - e) * ln(a / e)) over shares, each floored at ``PSI_FLOOR``."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_drift(
    reference: KllLike,
    current: KllLike,
    bins: int = DEFAULT_PSI_BINS,
    threshold: float = DEFAULT_PSI_THRESHOLD,
) -> DriftResult:
    """PSI of the current distribution over the reference's quantile bins."""
    threshold = _check_psi_threshold(threshold)
    ref, cur = _kll(reference, "reference"), _kll(current, "current")
    edges = psi_bins(ref, bins)
    psi = population_stability_index(
        np.asarray(ref.get_pmf(edges, True)), np.asarray(cur.get_pmf(edges, True))
    )
    return DriftResult("psi", psi, None, threshold, psi > threshold)


def _category_counts(
    reference: FrequentLike, current: FrequentLike, max_categories: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts over the union of both sketches' top categories, plus an "other" bucket."""
    valid = isinstance(max_categories, int) and not isinstance(max_categories, bool)
    if not valid or max_categories < 1:
        raise DriftInputError(f"max_categories: expected a positive integer, got {max_categories!r}")
    ref, cur = _frequent(reference, "reference"), _frequent(current, "current")
    if type(ref) is not type(cur):
        raise DriftInputError("categorical drift: reference and current sketches hold different item types")
    error_type = ds.frequent_items_error_type.NO_FALSE_NEGATIVES
    categories: list[object] = []
    seen: set[object] = set()
    for sketch in (ref, cur):
        rows = sorted(sketch.get_frequent_items(error_type, 0), key=lambda row: -row[1])
        for item, *_ in rows[:max_categories]:
            if item not in seen:
                seen.add(item)
                categories.append(item)
    ref_counts = np.array([ref.get_estimate(c) for c in categories], dtype=np.float64)
    cur_counts = np.array([cur.get_estimate(c) for c in categories], dtype=np.float64)
    ref_other = max(0.0, float(ref.total_weight) - float(ref_counts.sum()))
    cur_other = max(0.0, float(cur.total_weight) - float(cur_counts.sum()))
    return np.append(ref_counts, ref_other), np.append(cur_counts, cur_other)


def chi_square_drift(
    reference: FrequentLike,
    current: FrequentLike,
    alpha: float = DEFAULT_ALPHA,
    max_categories: int = 50,
) -> DriftResult:
    """Chi-square test of homogeneity on category counts (exact while each frequent-items
    sketch still holds every category; estimates with bounded error beyond that)."""
    alpha = _check_alpha(alpha)
    ref_counts, cur_counts = _category_counts(reference, current, max_categories)
    table = np.vstack([ref_counts, cur_counts])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return DriftResult("chi_square", 0.0, 1.0, alpha, False)
    from scipy import stats  # SciPy is imported on use: it takes a second to import
    result = stats.chi2_contingency(table, correction=False)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    return DriftResult("chi_square", statistic, p_value, alpha, p_value < alpha)


def categorical_psi_drift(
    reference: FrequentLike,
    current: FrequentLike,
    threshold: float = DEFAULT_PSI_THRESHOLD,
    max_categories: int = 50,
) -> DriftResult:
    """PSI over category shares (top categories of both sides plus "other")."""
    threshold = _check_psi_threshold(threshold)
    ref_counts, cur_counts = _category_counts(reference, current, max_categories)
    psi = population_stability_index(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum())
    return DriftResult("categorical_psi", psi, None, threshold, psi > threshold)
