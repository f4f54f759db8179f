"""NaN-aware statistics along the last axis, vectorised (numpy's nanmedian loops per row)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826
"""Factor turning a median absolute deviation into a normal-equivalent standard deviation."""


def valid_count(a: np.ndarray) -> np.ndarray:
    """Non-NaN values along the last axis."""
    return np.asarray(a.shape[-1] - np.count_nonzero(np.isnan(a), axis=-1))


def sorted_quantiles(a: np.ndarray, qs: tuple[float, ...],
                     count: np.ndarray | None = None) -> list[np.ndarray]:
    """Linear-interpolated quantiles ``qs`` along the last axis, ignoring NaN.

    One sort serves every quantile; rows without a valid value give NaN. ``count`` (the
    non-NaN values per row) saves a pass when the caller already has it.
    """
    s = np.sort(a, axis=-1)  # NaN sorts last
    n = valid_count(a) if count is None else count
    out = []
    last = np.maximum(n - 1, 0)
    for q in qs:
        pos = q * last
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, last)
        frac = pos - lo
        v_lo = np.take_along_axis(s, lo[..., None], axis=-1)[..., 0]
        v_hi = np.take_along_axis(s, hi[..., None], axis=-1)[..., 0]
        v = v_lo + (v_hi - v_lo) * frac
        out.append(np.where(n > 0, v, np.nan))
    return out


def nan_median(a: np.ndarray, count: np.ndarray | None = None) -> np.ndarray:
    """Median along the last axis ignoring NaN (a row sort beats np.median's partition here)."""
    return sorted_quantiles(a, (0.5,), count)[0]


def median_and_mad(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and normal-equivalent MAD along the last axis, ignoring NaN."""
    med = nan_median(a)
    mad = nan_median(np.abs(a - med[..., None])) * MAD_TO_SIGMA
    return med, mad


def causal_windows(x: np.ndarray, window: int) -> np.ndarray:
    """View of shape (..., T, window): row t holds the ``window`` points strictly before t.

    Positions before the start of the series are NaN, so row t never sees x[t] or later.
    """
    pad = np.full((*x.shape[:-1], window), np.nan)
    padded = np.concatenate([pad, x], axis=-1)
    return sliding_window_view(padded, window, axis=-1)[..., : x.shape[-1], :]


def scale_floor(level: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Smallest usable sigma: guards flat series (MAD 0) against infinite z-scores."""
    return np.maximum(1e-3 * np.abs(level), 1e-3 * np.nan_to_num(spread)) + 1e-9


@contextmanager
def quiet() -> Iterator[None]:
    """Silence numpy's empty-slice and invalid-value warnings (all-NaN rows are expected)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
