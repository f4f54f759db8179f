"""Judging "values meet X" checks the Great Expectations way: ``mostly`` over non-null values."""

from __future__ import annotations

from typing import Any

from agent.checks.results import Outcome


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def expected_share(expected: int, total: int) -> float:
    """``expected / total`` (1.0 when ``total`` is 0), divided once so that a ``mostly`` written
    as the exact share (0.2 for 1 of 5) is met: ``1.0 - 4 / 5`` is 0.19999999999999996."""
    return expected / total if total else 1.0


def map_outcome(
    *, element_count: int, non_null_count: int, unexpected_count: int, mostly: float, **extra: Any
) -> Outcome:
    """Success when the share of expected values among non-null ones is at least ``mostly``.

    With no non-null value at all the expectation holds vacuously, as in Great Expectations.
    """
    unexpected_ratio = unexpected_count / non_null_count if non_null_count else 0.0
    success = expected_share(non_null_count - unexpected_count, non_null_count) >= mostly
    message = None
    if not success:
        message = (
            f"{unexpected_count} of {non_null_count} non-null values "
            f"({unexpected_ratio:.2%}) are unexpected; at most {1 - mostly:.2%} allowed"
        )
    return Outcome(
        success=success,
        observed_value=unexpected_ratio,
        element_count=element_count,
        missing_count=element_count - non_null_count,
        unexpected_count=unexpected_count,
        unexpected_ratio=unexpected_ratio,
        message=message,
        **extra,
    )
