"""Freshness SLA compliance: the share of a window during which the dataset was within its SLA.

The input is the stored history of freshness observations: (run time, age of the newest row).
Between two observations no new data is assumed, so the age grows with the clock from the
earlier one: ``age(t) = age_i + (t - t_i)``, the same "age at the last run plus the time since"
that the DataQualityDatasetStale alert and the dataset:dq_dataset_freshness_sla_met:bool
recording rule use. An observation vouches for at most ``horizon`` seconds after it (the agent
uses twice the dataset's schedule interval); time no observation covers (before the first one,
or a gap while the agent was down or the dataset did not run) counts neither way: the ratio is
in-SLA time over covered time, and there is none when nothing in the window is covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Compliance:
    """Seconds of the window observed, and of those, within the SLA."""

    covered_seconds: float
    within_seconds: float

    @property
    def ratio(self) -> float | None:
        """Share of the covered time within the SLA; None when nothing was covered."""
        if self.covered_seconds <= 0:
            return None
        return min(1.0, self.within_seconds / self.covered_seconds)


def compliance(
    points: Sequence[tuple[float, float]], sla_seconds: float, start: float, end: float,
    horizon: float,
) -> Compliance:
    """Compliance over ``[start, end)`` from ``points`` ((timestamp, age) pairs, any order).

    Points before ``start`` count for the part of their coverage inside the window, so pass
    those up to ``horizon`` before it; points at or after ``end`` are ignored.
    """
    if end <= start or horizon <= 0:
        return Compliance(0.0, 0.0)
    ordered = sorted(p for p in points if p[0] < end)
    covered = within = 0.0
    for index, (ts, age) in enumerate(ordered):
        following = ordered[index + 1][0] if index + 1 < len(ordered) else end
        low = max(ts, start)
        high = min(following, ts + horizon, end)
        if high <= low:
            continue
        covered += high - low
        # Within the SLA while age + (t - ts) <= sla, i.e. until ts + sla - age.
        breach = ts + sla_seconds - age
        within += max(0.0, min(high, breach) - low)
    return Compliance(covered, within)
