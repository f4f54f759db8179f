import numpy as np
import pytest

from agent.sketches import QuantileSketch, SketchError, calendar_histogram, to_epoch_seconds
from agent.sketches.temporal import choose_granularity


def test_epoch_seconds_with_nat() -> None:
    values = np.array(["1970-01-01T00:00:01", "NaT", "2024-02-29T12:00:00.5"], dtype="datetime64[ms]")
    seconds = to_epoch_seconds(values)
    assert seconds[0] == 1.0 and np.isnan(seconds[1])
    assert seconds[2] == pytest.approx(1709208000.5)
    with pytest.raises(SketchError, match="datetime64"):
        to_epoch_seconds(np.arange(3))


def _sketch_of(dates: np.ndarray) -> QuantileSketch:
    sketch = QuantileSketch()
    sketch.update(to_epoch_seconds(dates))
    return sketch


def test_monthly_histogram_matches_exact_counts() -> None:
    rng = np.random.default_rng(9)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    dates = start + rng.integers(0, 365 * 86400, size=100_000).astype("timedelta64[s]")
    hist = calendar_histogram(_sketch_of(dates))
    assert hist.granularity == "month"
    months, exact = np.unique(dates.astype("datetime64[M]"), return_counts=True)
    assert hist.labels == tuple(str(m) for m in months)
    error = QuantileSketch().sketch.get_normalized_rank_error(200, True) * dates.size
    assert np.abs(np.array(hist.counts) - exact).max() <= error


def test_day_boundaries_are_exact_on_small_input() -> None:
    dates = np.array(
        ["2024-01-01T23:59:59", "2024-01-02T00:00:00", "2024-01-02T10:00"], dtype="datetime64[s]"
    )
    hist = calendar_histogram(_sketch_of(dates), "day")
    assert hist.labels == ("2024-01-01", "2024-01-02")
    assert hist.counts == (1.0, 2.0)


def test_granularity_choice_and_limits() -> None:
    day = 86400.0
    assert choose_granularity(0, 10 * day) == "day"
    assert choose_granularity(0, 200 * day) == "month"
    assert choose_granularity(0, 2000 * day) == "year"
    wide = _sketch_of(np.array(["2000-01-01", "2020-01-01"], dtype="datetime64[D]"))
    with pytest.raises(SketchError, match="coarser granularity"):
        calendar_histogram(wide, "day")
    assert calendar_histogram(QuantileSketch()).counts == ()
