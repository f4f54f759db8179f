from collections import Counter

import datasketches as ds
import numpy as np
import pytest

from agent.sketches import FrequentItems, SketchError


def _zipf_words(seed: int, n: int) -> np.ndarray:
    ranks = np.random.default_rng(seed).zipf(1.3, size=n)
    return np.char.add("w", ranks.astype(str))


def test_top_values_and_bounds_on_heavy_tailed_data() -> None:
    words = _zipf_words(1, 200_000)
    exact = Counter(words.tolist())
    sketch = FrequentItems("string", lg_max_k=8)
    values, counts = np.unique(words, return_counts=True)
    sketch.update(values, counts)
    top = sketch.top(10)
    assert [t.value for t in top[:5]] == [w for w, _ in exact.most_common(5)]
    for item in top:
        assert item.lower_bound <= exact[item.value] <= item.upper_bound
        assert item.share == pytest.approx(item.estimate / words.size)
    assert sketch.total_weight == words.size
    assert sketch.maximum_error() <= ds.frequent_strings_sketch.get_apriori_error(8, words.size)


def test_counts_are_exact_below_capacity() -> None:
    sketch = FrequentItems("integer")
    sketch.update(np.array([3, 3, 3, 7, 7, 9]))
    top = sketch.top(2)
    assert [(t.value, t.estimate) for t in top] == [(3, 3), (7, 2)]
    assert sketch.maximum_error() == 0


def test_merge_of_partitions_matches_whole() -> None:
    words = _zipf_words(2, 120_000)
    exact = Counter(words.tolist())
    merged = FrequentItems("string", lg_max_k=8)
    for part in np.array_split(words, 3):
        piece = FrequentItems("string", lg_max_k=8)
        piece.update(part)
        merged.merge(piece)
    for item in merged.top(5):
        assert item.lower_bound <= exact[item.value] <= item.upper_bound
    assert [t.value for t in merged.top(3)] == [w for w, _ in exact.most_common(3)]


@pytest.mark.parametrize(
    ("kind", "values", "serde"),
    [
        ("string", ["a", "b", "a"], None),
        ("integer", [5, 6, 5], ds.PyLongsSerDe),
        ("float", [0.5, 1.5, 0.5], ds.PyDoublesSerDe),
    ],
)
def test_round_trip_and_interop(kind: str, values: list[object], serde: type | None) -> None:
    ours = FrequentItems(kind)  # type: ignore[arg-type]
    ours.update(values)
    restored = FrequentItems.from_bytes(ours.to_bytes(), kind)  # type: ignore[arg-type]
    assert restored.top(5) == ours.top(5)
    if serde is None:
        plain = ds.frequent_strings_sketch.deserialize(ours.to_bytes())
        theirs = ds.frequent_strings_sketch(10)
    else:
        plain = ds.frequent_items_sketch.deserialize(ours.to_bytes(), serde())
        theirs = ds.frequent_items_sketch(10)
    theirs.update(values[0], 10)
    plain.merge(theirs)
    assert plain.get_estimate(values[0]) == 12
    restored.merge(
        FrequentItems.from_bytes(
            theirs.serialize() if serde is None else theirs.serialize(serde()),
            kind,  # type: ignore[arg-type]
        )
    )
    assert restored.top(1)[0].estimate == 12


def test_bad_input() -> None:
    with pytest.raises(SketchError, match="kind"):
        FrequentItems("blob")  # type: ignore[arg-type]
    with pytest.raises(SketchError, match="lg_max_k"):
        FrequentItems("string", lg_max_k=40)
    with pytest.raises(SketchError, match="2 values but 1 counts"):
        FrequentItems("string").update(["a", "b"], np.array([1]))
    with pytest.raises(SketchError, match="cannot merge"):
        FrequentItems("string").merge(FrequentItems("integer"))
    with pytest.raises(SketchError, match="top k"):
        FrequentItems("string").top(0)
    with pytest.raises(SketchError, match="frequent-items sketch"):
        FrequentItems.from_bytes(b"xx", "string")
