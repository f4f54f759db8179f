"""Binning a column's values into the categories of a contingency table, as Great Expectations'
``get_binned_values`` does for expect_column_pair_cramers_phi_value_to_be_less_than; defines no
check type.

A numeric column (every non-null value a number, booleans excepted) is cut into ``n_bins`` equal
bins between its minimum and maximum (numpy.histogram_bin_edges), or at the given ``bins`` edges
widened to the minimum and maximum; the last bin includes the maximum. Other columns keep their
values: with ``bins`` (groups of values) each group is one category named by its values joined
with ", "; without, the ``n_bins`` most frequent values are kept and the rest are "(other)",
unless at most ``n_bins`` values occur (ties in frequency are broken by value, where Great
Expectations takes pandas' sort order). NULL (and NaN) is the category "(missing)".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

DEFAULT_BINS = 10
MISSING = "(missing)"
OTHER = "(other)"

Binner = Callable[[Any], Hashable]


def bins_kind(bins: Sequence[Any] | None, key: str) -> str | None:
    """"edges" (numbers), "groups" (lists of values) or None; a ValueError names ``key``."""
    if bins is None:
        return None
    if not bins:
        raise ValueError(f"{key} is empty; give bin edges (numbers) or groups of values (lists)")
    if all(is_number(edge) for edge in bins):
        return "edges"
    if all(isinstance(group, list) and group for group in bins):
        return "groups"
    raise ValueError(f"{key} must be bin edges (numbers, for a numeric column) or groups of "
                     "values (non-empty lists, for other columns), not a mix")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def binner(
    counts: Mapping[Any, int], bins: Sequence[Any] | None, n_bins: int | None, key: str,
) -> tuple[Binner, list[str]]:
    """The category of each value of a column whose non-null values occur ``counts`` times, and
    the category labels in order (numeric bins) or [] (categories are the values themselves)."""
    values = [value for value in counts if not _missing(value)]
    numeric = bool(values) and all(is_number(value) for value in values)
    kind = bins_kind(bins, key)
    if numeric and kind != "groups":
        return _numeric(values, bins, n_bins or DEFAULT_BINS)
    if kind == "edges":
        raise ValueError(f"{key} holds bin edges, but the column's values are not all numbers; "
                         "give groups of values (lists) instead")
    return _categorical(counts, bins, n_bins or DEFAULT_BINS), []


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _numeric(
    values: list[Any], bins: Sequence[Any] | None, n_bins: int,
) -> tuple[Binner, list[str]]:
    low, high = float(min(values)), float(max(values))
    if bins is not None:
        edges = sorted({float(edge) for edge in bins})
        edges = ([low] if low < edges[0] else []) + edges + ([high] if high > edges[-1] else [])
        edges += edges[-1:] if len(edges) == 1 else []  # one edge: one bin holding it
        array = np.array(edges, dtype=np.float64)
    else:
        array = np.histogram_bin_edges(np.array([low, high]), bins=n_bins)
    array[-1] = np.nextafter(array[-1], array[-1] + 1)
    labels = _labels(array)

    def category(value: Any) -> Hashable:
        if _missing(value):
            return MISSING
        index = int(np.digitize(float(value), array)) - 1
        return labels[min(max(index, 0), len(labels) - 1)]

    return category, labels


def _labels(edges: np.ndarray[Any, Any]) -> list[str]:
    widths = np.diff(edges)
    smallest = float(widths.min()) if len(widths) else 0.0
    precision = int(math.log10(smallest)) + 2 if smallest > 0 else 6
    labels = [f"[{round(float(a), precision)}, {round(float(b), precision)})"
              for a, b in itertools.pairwise(edges)]
    if len(set(labels)) < len(labels):  # rounded alike: keep the bins apart
        labels = [f"{label} #{index}" for index, label in enumerate(labels)]
    return labels


def _categorical(
    counts: Mapping[Any, int], bins: Sequence[Any] | None, n_bins: int,
) -> Binner:
    replace: dict[Any, Hashable] = {}
    if bins is not None:
        for group in bins:
            label = ", ".join(str(value) for value in group)
            replace.update({value: label for value in group})
    else:
        present = sorted(((value, n) for value, n in counts.items() if not _missing(value)),
                         key=lambda item: (-item[1], type(item[0]).__name__, item[0]))
        if len(present) >= n_bins + 1:
            replace = {value: OTHER for value, _ in present[n_bins:]}

    def category(value: Any) -> Hashable:
        if _missing(value):
            return MISSING
        return replace.get(value, value)

    return category
