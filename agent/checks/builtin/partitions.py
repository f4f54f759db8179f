"""Partition objects of the distributional expectations (KL divergence, chi-square, KS tests) and
the statistics computed on them; defines no check type.

A partition is Great Expectations' ``partition_object``: continuous, ``{"bins": [...], "weights":
[...]}`` with one more bin edge than weights (optionally ``tail_weights``: the weight below the
first and above the last edge), or categorical, ``{"values": [...], "weights": [...]}``. Weights
(with the tail weights) sum to 1. Statistics follow Great Expectations 1.x and use SciPy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.expressions import inline_number


def partition_kind(partition: Any) -> str:
    """"categorical" or "continuous"; raises ValueError naming what is wrong with ``partition``."""
    if not isinstance(partition, Mapping) or "weights" not in partition:
        raise ValueError("partition_object needs weights and either bins or values")
    weights = _numbers(partition["weights"], "weights")
    if "values" in partition and "bins" not in partition:
        values = partition["values"]
        if not isinstance(values, list) or len(values) != len(weights):
            raise ValueError("partition_object values and weights must be lists of one length")
        _sums_to_one(weights)
        return "categorical"
    if "bins" not in partition:
        raise ValueError("partition_object needs weights and either bins or values")
    bins = _numbers(partition["bins"], "bins")
    if len(bins) != len(weights) + 1:
        raise ValueError("partition_object needs one more bin edge than weights")
    if any(b <= a for a, b in itertools.pairwise(bins)):
        raise ValueError("partition_object bins must increase")
    tails: list[float] = []
    if "tail_weights" in partition:
        tails = _numbers(partition["tail_weights"], "tail_weights")
        if len(tails) != 2:
            raise ValueError("partition_object tail_weights must hold two weights")
    _sums_to_one(weights + tails)
    return "continuous"


def _numbers(value: Any, key: str) -> list[float]:
    if not isinstance(value, list) or not value or not all(
        isinstance(item, int | float) and not isinstance(item, bool) for item in value
    ):
        raise ValueError(f"partition_object {key} must be a non-empty list of numbers")
    return [float(item) for item in value]


def _sums_to_one(weights: list[float]) -> None:
    total = math.fsum(weights)
    if not math.isclose(total, 1.0, rel_tol=1e-5, abs_tol=1e-8):
        raise ValueError(f"partition_object weights must sum to 1, not {total:g}")


# -- continuous partitions: counts in SQL ------------------------------------------------------------


def bin_conditions(column: ColumnElement[Any], bins: Sequence[float]) -> list[ColumnElement[bool]]:
    """One condition per bin, as NumPy's histogram counts them: [edge, next edge), the last bin
    closed; an infinite outer edge leaves that side open."""
    conditions: list[ColumnElement[bool]] = []
    last = len(bins) - 2
    for index, (low, high) in enumerate(itertools.pairwise(bins)):
        parts: list[ColumnElement[bool]] = []
        if not (index == 0 and low == -math.inf):
            parts.append(column >= inline_number(low))
        if not (index == last and high == math.inf):
            parts.append(column <= inline_number(high) if index == last else column < inline_number(high))
        conditions.append(sa.and_(*parts) if parts else column.is_not(None))
    return conditions


def below_condition(column: ColumnElement[Any], bins: Sequence[float]) -> ColumnElement[bool]:
    return sa.false() if bins[0] == -math.inf else column < inline_number(bins[0])


def above_condition(column: ColumnElement[Any], bins: Sequence[float]) -> ColumnElement[bool]:
    return sa.false() if bins[-1] == math.inf else column > inline_number(bins[-1])


# -- KL divergence ------------------------------------------------------------------------------------


def finite_or_none(value: float) -> float | None:
    """Great Expectations reports an infinite or undefined statistic as None."""
    return None if math.isinf(value) or math.isnan(value) else float(value)


def kl_continuous(
    partition: Mapping[str, Any], hist: Sequence[int], below: int, above: int, nonnull: int,
    tail_weight_holdout: float, internal_weight_holdout: float,
) -> tuple[float, dict[str, Any]]:
    """KL divergence of the observed histogram from a continuous partition, and the observed and
    expected partitions (holdouts applied, tails apart) as Great Expectations reports them."""
    bins = [float(b) for b in partition["bins"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.asarray(hist, dtype=float) / nonnull
        below_w, above_w = below / nonnull if nonnull else math.nan, above / nonnull if nonnull else math.nan
    expected = np.asarray(partition["weights"], dtype=float) * (
        1 - tail_weight_holdout - internal_weight_holdout)
    zeros = int(np.count_nonzero(expected == 0))
    if internal_weight_holdout > 0 and zeros:
        expected[expected == 0] = internal_weight_holdout / zeros
    low_open, high_open = bins[0] == -math.inf, bins[-1] == math.inf
    if low_open and high_open:
        edges = bins[1:-1]
        comb_expected, comb_observed = expected, observed
        expected_tails, observed_tails = [expected[0], expected[-1]], [observed[0], observed[-1]]
        expected, observed = expected[1:-1], observed[1:-1]
    elif low_open:
        edges = bins[1:]
        comb_expected = np.append(expected, tail_weight_holdout)
        comb_observed = np.append(observed, above_w)
        expected_tails, observed_tails = [expected[0], tail_weight_holdout], [observed[0], above_w]
        expected, observed = expected[1:], observed[1:]
    elif high_open:
        edges = bins[:-1]
        comb_expected = np.insert(expected, 0, tail_weight_holdout)
        comb_observed = np.insert(observed, 0, below_w)
        expected_tails, observed_tails = [tail_weight_holdout, expected[-1]], [below_w, observed[-1]]
        expected, observed = expected[:-1], observed[:-1]
    else:
        edges = bins
        tails = partition.get("tail_weights") or [tail_weight_holdout / 2] * 2
        expected_tails = [float(tails[0]), float(tails[1])]
        comb_expected = np.concatenate(([expected_tails[0]], expected, [expected_tails[1]]))
        comb_observed = np.concatenate(([below_w], observed, [above_w]))
        observed_tails = [below_w, above_w]
    with np.errstate(divide="ignore", invalid="ignore"):
        from scipy import stats  # SciPy is imported on use: it takes a second to import
        divergence = float(stats.entropy(comb_observed, comb_expected))
    details = {
        "observed_partition": {"bins": edges, "weights": observed.tolist(),
                               "tail_weights": [float(w) for w in observed_tails]},
        "expected_partition": {"bins": edges, "weights": expected.tolist(),
                               "tail_weights": [float(w) for w in expected_tails]},
    }
    return divergence, details


def categorical_frame(
    partition: Mapping[str, Any], counts: Mapping[Any, int]
) -> tuple[list[Any], list[float], list[float | None]]:
    """The partition's values then the other observed values (sorted), their observed counts and
    their expected weights (None for values the partition does not list)."""
    listed = list(partition["values"])
    known = set(listed)
    others = sorted((value for value in counts if value not in known), key=_order)
    values = listed + others
    observed = [float(counts.get(value, 0)) for value in values]
    expected: list[float | None] = [float(w) for w in partition["weights"]] + [None] * len(others)
    return values, observed, expected


def holdout_filled(expected: list[float | None], tail_weight_holdout: float, total: float) -> list[float]:
    """Expected weights with ``tail_weight_holdout`` (times ``total``) shared among the values the
    partition does not list, the listed ones scaled down to make room."""
    missing = sum(1 for weight in expected if weight is None)
    if not missing:
        return [float(weight) for weight in expected if weight is not None]
    share = total * tail_weight_holdout / missing
    return [share if weight is None else weight * (1 - tail_weight_holdout) for weight in expected]


def kl_categorical(
    partition: Mapping[str, Any], counts: Mapping[Any, int], nonnull: int,
    tail_weight_holdout: float,
) -> tuple[float, dict[str, Any]]:
    values, observed, expected = categorical_frame(partition, counts)
    pk = [count / nonnull for count in observed] if nonnull else observed
    qk = holdout_filled(expected, tail_weight_holdout, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        from scipy import stats  # SciPy is imported on use: it takes a second to import
        divergence = float(stats.entropy(pk, qk)) if nonnull else math.nan
    return divergence, {
        "observed_partition": {"values": values, "weights": pk},
        "expected_partition": {"values": values, "weights": qk},
    }


def chisquare_p_value(
    partition: Mapping[str, Any], counts: Mapping[Any, int], nonnull: int,
    tail_weight_holdout: float,
) -> tuple[float, dict[str, Any]]:
    """The chi-square test's p-value of the observed counts against the partition's."""
    values, observed, expected = categorical_frame(partition, counts)
    scaled = [None if weight is None else weight * nonnull for weight in expected]
    f_exp = holdout_filled(scaled, tail_weight_holdout, float(nonnull))
    with np.errstate(divide="ignore", invalid="ignore"):
        from scipy import stats  # SciPy is imported on use: it takes a second to import
        p_value = float(stats.chisquare(observed, f_exp)[1])
    obs_total, exp_total = sum(observed), sum(f_exp)
    return p_value, {
        "observed_partition": {"values": values,
                               "weights": [c / obs_total if obs_total else 0.0 for c in observed]},
        "expected_partition": {"values": values,
                               "weights": [e / exp_total if exp_total else 0.0 for e in f_exp]},
    }


def _order(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)
