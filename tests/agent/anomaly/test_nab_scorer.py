"""The NAB scorer of benchmarks/nab_benchmark.py on small hand-computed cases."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[3] / "benchmarks" / "nab_benchmark.py"
_spec = importlib.util.spec_from_file_location("nab_benchmark", _PATH)
assert _spec and _spec.loader
nab = importlib.util.module_from_spec(_spec)
sys.modules["nab_benchmark"] = nab
_spec.loader.exec_module(nab)

STD = nab.Profile("standard", 1.0, 1.0, 0.11)


def sig(y: float) -> float:
    return 2 / (1 + math.exp(5 * y)) - 1


def test_scaled_sigmoid_values() -> None:
    assert nab.scaled_sigmoid(0.0) == 0.0
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(0.98661429815)
    assert nab.scaled_sigmoid(4.0) == -1.0


def test_probation_rows() -> None:
    assert nab.probation_rows(100) == 15
    assert nab.probation_rows(10_000) == 750


def test_first_detection_in_window_counts_once() -> None:
    flags = [False] * 100
    flags[60] = flags[65] = True  # window 50..70: y = -(70-60)/20 = -0.5
    s = nab.score_file(flags, [(50, 70)], STD)
    assert s.raw == pytest.approx(sig(-0.5))
    assert (s.detected, s.false_positives) == (1, 0)
    assert s.null == -1.0 and s.perfect == pytest.approx(sig(-1.0))


def test_missed_window_and_false_positives() -> None:
    flags = [False] * 100
    flags[20] = True  # before any window: -fp
    flags[80] = True  # 10 rows after window 50..70 (length 20): fp * sig(0.5)
    flags[5] = True  # probation (15 rows): ignored
    s = nab.score_file(flags, [(50, 70)], STD)
    assert s.raw == pytest.approx(-0.11 + 0.11 * sig(0.5) - 1.0)
    assert s.false_positives == 2 and s.detected == 0


def test_low_fn_profile_and_normalisation() -> None:
    low_fn = nab.Profile("reward_low_FN_rate", 1.0, 2.0, 0.11)
    flags = [False] * 100
    missed = nab.score_file(flags, [(50, 70)], low_fn)
    assert missed.raw == -2.0
    flags[50] = True
    perfect = nab.score_file(flags, [(50, 70)], STD)
    assert nab.normalised([perfect]) == pytest.approx(100.0)
    assert nab.normalised([nab.score_file([False] * 100, [(50, 70)], STD)]) == 0.0
