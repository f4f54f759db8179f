import datetime as dt
from collections import Counter
from decimal import Decimal

import datasketches as ds
import numpy as np
import pytest

from agent.sketches import ColumnSketch, SketchError, sketch_columns

RANK_ERROR = ds.kll_doubles_sketch.get_normalized_rank_error(200, False)
HLL_ERROR = abs(ds.hll_sketch.get_rel_err(True, True, 12, 3))


def _rank_of(sorted_values: np.ndarray, value: float) -> float:
    return float(np.searchsorted(sorted_values, value, side="right") / sorted_values.size)


def _shape(value: str) -> str:
    return "".join("9" if c.isdigit() else "A" if c.isupper() else "a" if c.isalpha() else c for c in value)


def _float_column(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.normal(100.0, 15.0, size=n)
    values[rng.random(n) < 0.1] = np.nan
    return values


def test_float_summary_against_exact_numpy() -> None:
    values = _float_column(1, 300_000)
    sketch = ColumnSketch("amount", "float")
    for batch in np.array_split(values, 7):
        sketch.update(batch)
    present = np.sort(values[~np.isnan(values)])
    s = sketch.summary()
    assert s.count == values.size and s.null_count == values.size - present.size
    assert s.null_ratio == pytest.approx(s.null_count / s.count)
    assert abs(s.distinct.estimate - present.size) / present.size <= HLL_ERROR
    assert s.min == present[0] and s.max == present[-1]
    assert s.mean == pytest.approx(present.mean(), rel=1e-9)
    assert s.stddev == pytest.approx(present.std(ddof=1), rel=1e-9)
    targets = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}
    assert set(s.quantiles) == set(targets)
    for name, rank in targets.items():
        assert abs(_rank_of(present, s.quantiles[name]) - rank) <= RANK_ERROR
    assert set(s.exported_quantiles) == {"0.5", "0.9", "0.99"}
    assert s.histogram is not None and len(s.histogram.counts) == 20
    assert sum(s.histogram.counts) == pytest.approx(present.size)
    assert s.value_length is None and s.patterns is None


def test_integer_column_with_nulls_from_objects_and_masks() -> None:
    sketch = ColumnSketch("qty", "integer")
    sketch.update(np.array([1, None, 2, 2, float("nan")], dtype=object))
    sketch.update(np.ma.MaskedArray([3, 3, 3, 99], mask=[False, False, False, True]))
    sketch.update(np.array([4.0, np.nan]))  # an integer column read as float because of NULLs
    sketch.update(np.array([Decimal("4"), None], dtype=object))  # NUMERIC(10, 0)
    s = sketch.summary()
    assert (s.count, s.null_count) == (13, 5)
    assert round(s.distinct.estimate) == 4  # 2 and 2.0 hash the same: both go in as int64
    assert [(t.value, t.estimate) for t in s.top_values[:3]] == [(3, 3), (2, 2), (4, 2)]
    assert (s.min, s.max) == (1.0, 4.0)


def test_string_summary_lengths_patterns_and_emails() -> None:
    rng = np.random.default_rng(3)
    users = [f"user{i}@{rng.choice(['acme.com', 'Mail.org'], p=[0.75, 0.25])}" for i in range(4000)]
    codes = [f"AB-{i:04d}" for i in range(1000)]
    values = np.array(users + codes + [None] * 500, dtype=object)
    rng.shuffle(values)
    sketch = ColumnSketch("contact", "string")
    for batch in np.array_split(values, 3):
        sketch.update(batch)
    s = sketch.summary()
    present = [v for v in values.tolist() if v is not None]
    lengths = [len(v) for v in present]
    assert s.null_count == 500
    assert s.value_length == {
        "min": min(lengths),
        "max": max(lengths),
        "mean": pytest.approx(np.mean(lengths)),
    }
    assert (s.min, s.max) == (min(present), max(present))
    exact_shapes = Counter(_shape(v) for v in present).most_common(3)
    assert s.patterns is not None
    assert [(p.value, p.estimate) for p in s.patterns[:3]] == exact_shapes
    assert ("AA-9999", 1000) in [(p.value, p.estimate) for p in s.patterns]
    assert s.email is not None and s.email.email_count == 4000
    assert s.email.email_ratio == pytest.approx(0.8)
    shares = {d.value: d.share for d in s.email.domains}
    exact_acme = sum(u.endswith("acme.com") for u in users) / 4000
    assert shares["acme.com"] == pytest.approx(exact_acme) and "mail.org" in shares
    assert abs(s.distinct.estimate - 5000) / 5000 <= HLL_ERROR


def test_low_cardinality_strings_are_counted_exactly() -> None:
    values = np.array(["red", "green", "red", "blue", "red", "green"] * 5000)
    sketch = ColumnSketch("colour", "string")
    sketch.update(values)
    s = sketch.summary(top_k=3)
    assert [(t.value, t.estimate) for t in s.top_values] == [
        ("red", 15000),
        ("green", 10000),
        ("blue", 5000),
    ]
    assert s.patterns is not None and s.patterns[0].value == "aaa" and s.patterns[0].estimate == 15000
    assert s.email is None


def test_temporal_summary() -> None:
    rng = np.random.default_rng(6)
    base = np.datetime64("2021-01-01", "s")
    dates = base + rng.integers(0, 4 * 365 * 86400, size=50_000).astype("timedelta64[s]")
    dates[:100] = np.datetime64("NaT")
    sketch = ColumnSketch("created_at", "temporal")
    sketch.update(dates)
    aware = dt.datetime(2030, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    sketch.update(np.array([aware, None], dtype=object))
    s = sketch.summary()
    assert (s.count, s.null_count) == (50_002, 101)
    assert s.max == "2030-01-01T00:00:00"
    assert s.min == str(np.datetime_as_string(dates[100:].min(), unit="s"))
    assert s.top_values[0].value.startswith("20")
    assert s.histogram is not None and s.histogram.granularity == "year"
    assert s.histogram.labels[0] == "2021" and s.histogram.labels[-1] == "2030"
    assert sum(s.histogram.counts) == pytest.approx(50_000 - 100 + 1)


def test_merge_of_partitions_equals_whole_within_error() -> None:
    values = _float_column(4, 400_000)
    whole = ColumnSketch("amount", "float")
    whole.update(values)
    merged = ColumnSketch("amount", "float")
    for part in np.array_split(values, 5):
        piece = ColumnSketch("amount", "float")
        piece.update(part)
        merged.merge(piece)
    a, b = whole.summary(), merged.summary()
    present = np.sort(values[~np.isnan(values)])
    assert (a.count, a.null_count) == (b.count, b.null_count)
    assert abs(a.distinct.estimate - b.distinct.estimate) / present.size <= 2 * HLL_ERROR
    assert b.mean == pytest.approx(a.mean, rel=1e-9) and b.stddev == pytest.approx(a.stddev, rel=1e-9)
    for name in a.quantiles:
        assert (
            abs(_rank_of(present, a.quantiles[name]) - _rank_of(present, b.quantiles[name])) <= 2 * RANK_ERROR
        )


def test_merge_of_string_partitions() -> None:
    words = np.array([f"k{i % 300}" for i in range(30_000)], dtype=object)
    merged = ColumnSketch("key", "string")
    for part in np.array_split(words, 4):
        piece = ColumnSketch("key", "string")
        piece.update(part)
        merged.merge(piece)
    s = merged.summary()
    assert s.count == 30_000 and round(s.distinct.estimate) == 300
    assert s.top_values[0].estimate == 100 and s.value_length is not None
    assert (s.min, s.max) == ("k0", "k99")


@pytest.mark.parametrize("kind", ["float", "string", "temporal", "integer"])
def test_round_trip(kind: str) -> None:
    data = {
        "float": _float_column(5, 20_000),
        "integer": np.random.default_rng(5).integers(0, 500, 20_000),
        "string": np.array([f"id-{i % 700}" for i in range(20_000)] + [None], dtype=object),
        "temporal": np.datetime64("2024-01-01") + np.arange(20_000).astype("timedelta64[m]"),
    }[kind]
    sketch = ColumnSketch("c", kind)  # type: ignore[arg-type]
    sketch.update(data)
    restored = ColumnSketch.from_bytes(sketch.to_bytes())
    assert restored.summary() == sketch.summary()


def test_components_interoperate_with_plain_datasketches() -> None:
    ours = ColumnSketch("amount", "float")
    ours.update(np.arange(0.0, 100_000.0))
    parts = ColumnSketch.from_bytes(ours.to_bytes()).components()
    assert set(parts) == {"hll", "kll", "frequent"}

    kll = ds.kll_doubles_sketch.deserialize(parts["kll"])
    other_kll = ds.kll_doubles_sketch(200)
    other_kll.update(np.arange(100_000.0, 200_000.0))
    kll.merge(other_kll)
    assert kll.n == 200_000 and abs(kll.get_quantile(0.5) - 100_000) <= 200_000 * RANK_ERROR

    union = ds.hll_union(12)
    union.update(ds.hll_sketch.deserialize(parts["hll"]))
    other_hll = ds.hll_sketch(12)
    for v in range(50_000, 150_000):  # overlaps ours on 50_000..99_999, hashed as doubles
        other_hll.update(float(v))
    union.update(other_hll)
    assert abs(union.get_estimate() - 150_000) / 150_000 <= HLL_ERROR

    frequent = ds.frequent_items_sketch.deserialize(parts["frequent"], ds.PyDoublesSerDe())
    assert frequent.total_weight == 100_000

    words = ColumnSketch("w", "string")
    words.update(np.array(["x", "y", "x"]))
    plain = ds.frequent_strings_sketch.deserialize(words.components()["frequent"])
    assert plain.get_estimate("x") == 2
    patterns = ds.frequent_strings_sketch.deserialize(words.components()["patterns"])
    assert patterns.get_estimate("a") == 3


def test_bad_input_errors_name_the_column() -> None:
    with pytest.raises(SketchError, match="kind"):
        ColumnSketch("c", "decimal")  # type: ignore[arg-type]
    with pytest.raises(SketchError, match="name"):
        ColumnSketch("", "float")
    with pytest.raises(SketchError, match=r"'c'.*NumPy array"):
        ColumnSketch("c", "float").update([1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(SketchError, match=r"'c'.*1-D"):
        ColumnSketch("c", "float").update(np.zeros((2, 2)))
    with pytest.raises(SketchError, match=r"'c'.*non-integral"):
        ColumnSketch("c", "integer").update(np.array([1.5]))
    with pytest.raises(SketchError, match=r"'c'.*non-integral"):
        ColumnSketch("c", "integer").update(np.array([2, Decimal("1.5")], dtype=object))
    with pytest.raises(SketchError, match=r"'c'.*expected str values, got int"):
        ColumnSketch("c", "string").update(np.array(["a", 3], dtype=object))
    with pytest.raises(SketchError, match=r"'c'.*expected numbers"):
        ColumnSketch("c", "float").update(np.array(["a"]))
    with pytest.raises(SketchError, match=r"'c'.*datetime64"):
        ColumnSketch("c", "temporal").update(np.array([1.0]))
    with pytest.raises(SketchError, match=r"'c'.*do not fit a float"):
        ColumnSketch("c", "float").update(np.array(["x", 1.0], dtype=object))
    with pytest.raises(SketchError, match="cannot merge"):
        ColumnSketch("a", "float").merge(ColumnSketch("b", "float"))
    with pytest.raises(SketchError, match="bad magic"):
        ColumnSketch.from_bytes(b"PK\x03\x04" + b"\x00" * 20)
    good = ColumnSketch("c", "float").to_bytes()
    with pytest.raises(SketchError, match=r"expected .* bytes"):
        ColumnSketch.from_bytes(good[:-3])
    with pytest.raises(SketchError, match="no kind given"):
        sketch_columns({"a": np.zeros(3)}, {})


def test_sketch_columns_convenience() -> None:
    result = sketch_columns({"a": np.arange(10.0), "b": np.array(["x", "y"])}, {"a": "float", "b": "string"})
    assert result["a"].summary().count == 10 and result["b"].summary().count == 2
