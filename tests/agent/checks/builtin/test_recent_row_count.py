"""recent_row_count on every backend: only rows inside the window count, bounds inclusive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.recent_row_count import RecentRowCountSpec
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend


def rows() -> list[dict[str, object]]:
    """5 rows in the last day (1..21 hours old), 3 older ones (2..4 days), one NULL."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    recent = [now - timedelta(hours=h) for h in (1, 5, 9, 15, 21)]
    old = [now - timedelta(days=d) for d in (2, 3, 4)]
    stamps: list[datetime | None] = [*recent, *old, None]
    return [{"id": i, "loaded_at": ts} for i, ts in enumerate(stamps)]


async def test_counts_only_the_rows_inside_the_window(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "recent_row_count", "name": "day_exact", "column": "loaded_at", "min": 5, "max": 5},
        {"type": "recent_row_count", "name": "day_too_few", "column": "loaded_at", "min": 6},
        {"type": "recent_row_count", "name": "week_too_many", "column": "loaded_at",
         "window": "7d", "max": 7},
        {"type": "recent_row_count", "name": "hours", "column": "loaded_at", "window": "6h",
         "min": 2, "max": 2},
    ]
    ran = await run_checks(backend, tmp_path, checks,
                           columns={"id": sa.Integer(), "loaded_at": sa.DateTime()}, rows=rows())
    assert {name: r.status for name, r in ran.results.items()} == {
        "day_exact": Status.PASS, "day_too_few": Status.FAIL, "week_too_many": Status.FAIL,
        "hours": Status.PASS,
    }
    assert ran["day_exact"].outcome.observed_value == 5
    assert ran["week_too_many"].outcome.observed_value == 8
    assert ran["day_too_few"].outcome.message == (
        "5 rows in the last 86400s by loaded_at, expected between 6 and None")
    assert ran.run.queries == 1  # fused with the dataset's scan


def test_needs_a_bound_and_ordered_bounds() -> None:
    with pytest.raises(ValidationError, match="give min, max or both"):
        RecentRowCountSpec.model_validate({"type": "recent_row_count", "column": "c"})
    with pytest.raises(ValidationError, match=r"min \(5\) is greater than max \(1\)"):
        RecentRowCountSpec.model_validate(
            {"type": "recent_row_count", "column": "c", "min": 5, "max": 1})
