import datasketches as ds
import numpy as np
import pytest

from agent.sketches import DistinctCounter, SketchError


def _rel_err(lg_k: int, std_devs: int = 3) -> float:
    return abs(float(ds.hll_sketch.get_rel_err(True, False, lg_k, std_devs)))


def test_estimate_within_stated_error_and_bounds() -> None:
    rng = np.random.default_rng(11)
    values = rng.integers(0, 2**62, size=300_000)
    true = len(np.unique(values))
    counter = DistinctCounter(lg_k=12)
    counter.update(values)
    result = counter.result(std_devs=3)
    assert abs(result.estimate - true) / true <= _rel_err(12)
    assert result.lower_bound <= true <= result.upper_bound
    assert counter.relative_error(3) == pytest.approx(_rel_err(12))


def test_larger_lg_k_is_more_precise_in_its_bounds() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**62, size=100_000)
    small, large = DistinctCounter(lg_k=8), DistinctCounter(lg_k=14)
    small.update(values)
    large.update(values)
    width = [c.result().upper_bound - c.result().lower_bound for c in (small, large)]
    assert width[1] < width[0] / 4


def test_merge_of_overlapping_partitions_matches_whole() -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(0, 150_000, size=400_000)
    true = len(np.unique(values))
    whole = DistinctCounter()
    whole.update(values)
    merged = DistinctCounter()
    for part in np.array_split(values, 4):
        piece = DistinctCounter()
        piece.update(np.unique(part))
        merged.merge(piece)
    assert abs(merged.result().estimate - true) / true <= _rel_err(12)
    assert abs(merged.result().estimate - whole.result().estimate) / true <= 2 * _rel_err(12)


def test_round_trip_and_interop_with_plain_datasketches() -> None:
    words = [f"user-{i}" for i in range(50_000)]
    ours = DistinctCounter()
    ours.update(words[:30_000])
    restored = DistinctCounter.from_bytes(ours.to_bytes())
    assert restored.result().estimate == ours.result().estimate

    # A sketch made by someone else with the plain API, over an overlapping range.
    theirs = ds.hll_sketch(12)
    for word in words[20_000:]:
        theirs.update(word)
    plain = ds.hll_sketch.deserialize(ours.to_bytes())
    union = ds.hll_union(12)
    union.update(plain)
    union.update(theirs)
    assert abs(union.get_estimate() - 50_000) / 50_000 <= _rel_err(12)

    restored.merge(DistinctCounter.from_bytes(theirs.serialize_compact()))
    assert restored.result().estimate == pytest.approx(union.get_estimate(), rel=1e-9)


def test_same_values_hash_like_the_plain_api() -> None:
    values = np.arange(10_000, dtype=np.int64)
    ours = DistinctCounter()
    ours.update(values)
    plain = ds.hll_sketch(12, ds.HLL_8)
    for v in range(10_000):
        plain.update(v)
    assert ours.result().estimate == pytest.approx(plain.get_estimate(), rel=1e-12)


@pytest.mark.parametrize("lg_k", [6, 22, 12.0, True])
def test_bad_lg_k(lg_k: object) -> None:
    with pytest.raises(SketchError, match="lg_k"):
        DistinctCounter(lg_k=lg_k)  # type: ignore[arg-type]


def test_bad_bytes_and_std_devs() -> None:
    with pytest.raises(SketchError, match="not a DataSketches HLL"):
        DistinctCounter.from_bytes(b"\x01\x02")
    with pytest.raises(SketchError, match="std_devs"):
        DistinctCounter().result(std_devs=4)
