import datasketches as ds
import numpy as np
import pytest

from agent.sketches import QuantileSketch, SketchError

RANKS = np.linspace(0.01, 0.99, 99)


def _true_ranks(sorted_values: np.ndarray, quantiles: list[float]) -> np.ndarray:
    return np.searchsorted(sorted_values, quantiles, side="right") / sorted_values.size


def _sketch(values: np.ndarray, k: int = 200) -> QuantileSketch:
    sketch = QuantileSketch(k)
    sketch.update(values)
    return sketch


def test_rank_error_within_stated_bound() -> None:
    values = np.random.default_rng(21).lognormal(size=1_000_000)
    sketch = _sketch(values)
    estimates = sketch.quantiles(RANKS.tolist())
    error = np.abs(_true_ranks(np.sort(values), estimates) - RANKS).max()
    assert sketch.rank_error() == pytest.approx(ds.kll_doubles_sketch.get_normalized_rank_error(200, False))
    assert error <= sketch.rank_error()
    assert sketch.min() == values.min() and sketch.max() == values.max()
    assert sketch.n == values.size


def test_small_input_is_exact() -> None:
    sketch = _sketch(np.array([5.0, 1.0, 3.0, np.nan]))
    assert sketch.n == 3
    assert sketch.rank_error() == 0.0
    assert sketch.quantiles([0.0, 0.5, 1.0]) == [1.0, 3.0, 5.0]


def test_merge_of_partitions_matches_whole() -> None:
    values = np.random.default_rng(2).normal(50, 10, size=800_000)
    merged = QuantileSketch()
    for part in np.array_split(values, 8):
        merged.merge(_sketch(part))
    estimates = merged.quantiles(RANKS.tolist())
    error = np.abs(_true_ranks(np.sort(values), estimates) - RANKS).max()
    assert merged.n == values.size
    assert error <= merged.rank_error()


def test_histogram_and_cdf_against_exact() -> None:
    values = np.random.default_rng(8).gamma(2.0, 3.0, size=500_000)
    sketch = _sketch(values)
    hist = sketch.histogram(20)
    exact, edges = np.histogram(values, bins=20, range=(values.min(), values.max()))
    assert len(hist.counts) == 20 and np.allclose(hist.edges, edges)
    assert sum(hist.counts) == pytest.approx(values.size)
    pmf_error = ds.kll_doubles_sketch.get_normalized_rank_error(200, True)
    assert np.abs(np.array(hist.counts) - exact).max() <= pmf_error * values.size
    points = [1.0, 5.0, 10.0]
    exact_cdf = [(values <= p).mean() for p in points]
    assert np.abs(np.array(sketch.cdf(points)) - exact_cdf).max() <= sketch.rank_error()
    assert sum(sketch.pmf(points)) == pytest.approx(1.0)


def test_round_trip_and_interop_with_plain_datasketches() -> None:
    rng = np.random.default_rng(4)
    ours = _sketch(rng.uniform(0, 1, 300_000))
    restored = QuantileSketch.from_bytes(ours.to_bytes())
    assert restored.quantiles([0.1, 0.5, 0.9]) == ours.quantiles([0.1, 0.5, 0.9])

    theirs = ds.kll_doubles_sketch(200)
    theirs.update(rng.uniform(1, 2, 300_000))
    plain = ds.kll_doubles_sketch.deserialize(ours.to_bytes())
    plain.merge(theirs)
    assert plain.n == 600_000
    assert abs(plain.get_rank(1.0) - 0.5) <= plain.normalized_rank_error(False)
    ours.merge(QuantileSketch.from_bytes(theirs.serialize()))
    assert ours.n == 600_000 and abs(ours.quantiles([0.5])[0] - 1.0) < 0.02


def test_empty_sketch_answers() -> None:
    sketch = QuantileSketch()
    assert sketch.min() is None and sketch.max() is None
    assert all(np.isnan(sketch.quantiles([0.5])))
    assert sketch.histogram().counts == ()
    constant = _sketch(np.full(10, 7.0))
    assert constant.histogram().counts == (10.0,)


@pytest.mark.parametrize("k", [4, 70000, 200.0])
def test_bad_k(k: object) -> None:
    with pytest.raises(SketchError, match="k: expected an integer"):
        QuantileSketch(k)  # type: ignore[arg-type]


def test_bad_queries_and_bytes() -> None:
    sketch = _sketch(np.arange(100.0))
    with pytest.raises(SketchError, match="strictly increasing"):
        sketch.cdf([2.0, 1.0])
    with pytest.raises(SketchError, match="between 0 and 1"):
        sketch.quantiles([1.5])
    with pytest.raises(SketchError, match="bins"):
        sketch.histogram(0)
    with pytest.raises(SketchError, match="1-D"):
        sketch.update(np.zeros((2, 2)))
    with pytest.raises(SketchError, match="not a DataSketches KLL"):
        QuantileSketch.from_bytes(b"nonsense")
