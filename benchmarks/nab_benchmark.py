"""Score ``dq-agent anomaly score`` on the NAB corpus in ../shared/data/nab with the NAB rules.

The scorer below is written from the rules in the corpus' PROVENANCE.md:

- the first ``min(floor(0.15 * n), 750)`` rows are a probation period and are not scored;
- a detection is a row whose flag is set (one default threshold for every file);
- inside a window only the first detection counts, rewarded with ``tp * scaled_sigmoid(y)`` where
  ``y`` runs from -1 at the window's left edge to 0 at its right edge; a window with no detection
  costs ``fn``;
- a detection outside every window costs ``fp * scaled_sigmoid(d)`` where ``d`` is its distance
  past the end of the previous window, in units of that window's length (``-fp`` when no window
  precedes it);
- normalised score = 100 * (raw - null) / (perfect - null), summed over the corpus, where the null
  detector flags nothing and the perfect one flags the first row of every window.

Usage::

    python benchmarks/nab_benchmark.py [--data /work/shared/data/nab] [--method auto]
        [--agent-path] [--verbose]

``--agent-path`` also scores the corpus the way the running agent judges points: each point by
``score_latest`` from its trailing ``training_window`` points only (what the history store
holds), alerts being the onsets of anomalous runs with the same hold-off as the stream.

It prints the three normalised profile scores, the windows detected and the alerts raised on the
artificialNoAnomaly files, and the same figures for a baseline (a rolling 3-sigma z-score detector
measured in the same run) with the ratio between the two.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.anomaly.config import AnomalyConfig  # noqa: E402
from agent.anomaly.latest import score_latest  # noqa: E402
from agent.anomaly.likelihood import onsets  # noqa: E402
from agent.anomaly.streaming import read_series_csv, score_stream  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/nab")


@dataclass(frozen=True)
class Profile:
    name: str
    tp: float
    fn: float
    fp: float


PROFILES: tuple[Profile, ...] = (
    Profile("standard", 1.0, 1.0, 0.11),
    Profile("reward_low_FP_rate", 1.0, 1.0, 0.22),
    Profile("reward_low_FN_rate", 1.0, 2.0, 0.11),
)


@dataclass(frozen=True)
class FileScore:
    raw: float
    null: float
    perfect: float
    windows: int
    detected: int
    false_positives: int


def scaled_sigmoid(y: float) -> float:
    """``2 * sigmoid(-5 y) - 1``: ~0.987 at y=-1, 0 at y=0, towards -1 far past a window."""
    if y > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def probation_rows(n: int) -> int:
    return min(math.floor(0.15 * n), 750)


def window_rows(timestamps: Sequence[str], windows: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Row index ranges [first, last] of each window (timestamps compared as parsed datetimes)."""
    ts = np.array(timestamps, dtype="datetime64[ns]")
    out: list[tuple[int, int]] = []
    for start, end in windows:
        lo = int(np.searchsorted(ts, np.datetime64(start.replace(" ", "T")), side="left"))
        hi = int(np.searchsorted(ts, np.datetime64(end.replace(" ", "T")), side="right")) - 1
        if hi >= lo:
            out.append((lo, hi))
    return sorted(out)


def score_file(flags: Sequence[bool] | np.ndarray, windows: Sequence[tuple[int, int]],
               profile: Profile) -> FileScore:
    """Raw, null and perfect NAB scores of one file's detections under one profile."""
    flags_arr = np.asarray(flags, dtype=bool)
    n = len(flags_arr)
    probation = probation_rows(n)
    raw = 0.0
    detected = 0
    false_positives = 0
    matched: set[int] = set()
    window_of = np.full(n, -1, dtype=np.int64)
    for k, (lo, hi) in enumerate(windows):
        window_of[lo : hi + 1] = k
    for i in np.flatnonzero(flags_arr):
        if i < probation:
            continue
        k = int(window_of[i])
        if k >= 0:
            if k in matched:
                continue
            matched.add(k)
            lo, hi = windows[k]
            y = -(hi - i) / (hi - lo) if hi > lo else 0.0
            raw += profile.tp * scaled_sigmoid(y)
            detected += 1
            continue
        false_positives += 1
        previous = [w for w in windows if w[1] < i]
        if not previous:
            raw += -profile.fp
            continue
        lo, hi = previous[-1]
        distance = (i - hi) / max(hi - lo, 1)
        raw += profile.fp * scaled_sigmoid(distance)
    raw -= profile.fn * (len(windows) - detected)
    null = -profile.fn * len(windows)
    perfect = profile.tp * scaled_sigmoid(-1.0) * len(windows)
    return FileScore(raw, null, perfect, len(windows), detected, false_positives)


def normalised(scores: Sequence[FileScore]) -> float:
    raw = sum(s.raw for s in scores)
    null = sum(s.null for s in scores)
    perfect = sum(s.perfect for s in scores)
    if perfect == null:
        return 0.0
    return 100.0 * (raw - null) / (perfect - null)


def load_corpus(data: Path) -> list[tuple[str, list[str], np.ndarray, list[tuple[int, int]]]]:
    labels = json.loads((data / "labels" / "combined_windows.json").read_text())
    corpus = []
    for name in sorted(labels):
        timestamps, values = read_series_csv(data / "data" / name)
        corpus.append((name, timestamps, values, window_rows(timestamps, labels[name])))
    return corpus


def baseline_flags(values: np.ndarray, window: int = 288, k: float = 3.0) -> np.ndarray:
    """Rolling z-score baseline: flag when |x - mean| > k * std of the previous ``window`` points."""
    from numpy.lib.stride_tricks import sliding_window_view

    n = len(values)
    flags = np.zeros(n, dtype=bool)
    if n <= window:
        return flags
    hist = sliding_window_view(values[:-1], window)
    mean = hist.mean(axis=1)
    std = hist.std(axis=1)
    cur = values[window:]
    flags[window:] = np.abs(cur - mean) > k * np.maximum(std, 1e-12)
    return flags


def agent_path_flags(values: np.ndarray, timestamps: list[str], method: str = "auto",
                     block: int = 2000) -> np.ndarray:
    """Alerts of the agent's latest-point path: point t judged from its trailing window only."""
    from numpy.lib.stride_tricks import sliding_window_view

    config = AnomalyConfig(method=method)  # type: ignore[arg-type]
    window = config.training_window
    n = len(values)
    padded = np.concatenate([np.full(window, np.nan), values])
    rows = sliding_window_view(padded, window + 1)  # row t ends with point t
    stamps = np.asarray(timestamps[: window + 1], dtype="datetime64[s]")
    if len(stamps) < 2:
        stamps = None  # type: ignore[assignment]
    anomalous = np.zeros(n, dtype=bool)
    for lo in range(0, n, block):
        anomalous[lo : lo + block] = score_latest(rows[lo : lo + block], stamps,
                                                  config).is_anomaly
    anomalous[: config.min_history] = False
    return onsets(anomalous)


def evaluate(corpus: list[tuple[str, list[str], np.ndarray, list[tuple[int, int]]]],
             flagger: object, verbose: bool = False) -> dict[str, object]:
    per_profile: dict[str, list[FileScore]] = {p.name: [] for p in PROFILES}
    no_anomaly_alerts = 0
    for name, timestamps, values, windows in corpus:
        flags = flagger(values, timestamps)  # type: ignore[operator]
        if name.startswith("artificialNoAnomaly/"):
            probation = probation_rows(len(values))
            no_anomaly_alerts += int(np.count_nonzero(flags[probation:]))
        for p in PROFILES:
            per_profile[p.name].append(score_file(flags, windows, p))
        if verbose:
            s = per_profile["standard"][-1]
            print(f"  {name:60s} windows {s.detected}/{s.windows} fp {s.false_positives:3d} "
                  f"raw {s.raw:7.2f}")
    std = per_profile["standard"]
    return {
        "scores": {name: normalised(files) for name, files in per_profile.items()},
        "detected": sum(s.detected for s in std),
        "windows": sum(s.windows for s in std),
        "false_positives": sum(s.false_positives for s in std),
        "no_anomaly_alerts": no_anomaly_alerts,
    }


def _print(label: str, result: dict[str, object], seconds: float) -> None:
    scores = result["scores"]
    assert isinstance(scores, dict)
    print(f"{label}:")
    for name, value in scores.items():
        print(f"  {name:20s} {value:7.2f}")
    print(f"  windows detected     {result['detected']}/{result['windows']}")
    print(f"  false positives      {result['false_positives']}")
    print(f"  alerts on artificialNoAnomaly {result['no_anomaly_alerts']}")
    print(f"  scoring time         {seconds:.2f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--method", default="auto")
    parser.add_argument("--verbose", action="store_true", help="per-file detail")
    parser.add_argument("--agent-path", action="store_true",
                        help="also score with the agent's latest-point path (slower)")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    print(f"NAB corpus: {len(corpus)} files from {args.data}")

    def agent_flags(values: np.ndarray, timestamps: list[str]) -> np.ndarray:
        return score_stream(values, timestamps, method=args.method).flag

    start = time.perf_counter()
    ours = evaluate(corpus, agent_flags, verbose=args.verbose)
    ours_time = time.perf_counter() - start
    start = time.perf_counter()
    base = evaluate(corpus, lambda v, t: baseline_flags(v))
    base_time = time.perf_counter() - start
    _print(f"dq-agent ({args.method}), streaming", ours, ours_time)
    if args.agent_path:
        start = time.perf_counter()
        agent = evaluate(corpus, lambda v, t: agent_path_flags(v, t, args.method),
                         verbose=args.verbose)
        _print(f"dq-agent ({args.method}), agent latest-point path", agent,
               time.perf_counter() - start)
    _print("baseline (rolling 3-sigma z-score, 288 points)", base, base_time)
    ours_scores, base_scores = ours["scores"], base["scores"]
    assert isinstance(ours_scores, dict) and isinstance(base_scores, dict)
    for name in ours_scores:
        delta = ours_scores[name] - base_scores[name]
        print(f"  {name}: dq-agent minus baseline {delta:+.2f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
