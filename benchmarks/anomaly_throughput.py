"""Throughput of latest-point anomaly scoring: 500,000 series of 720 points (target <= 60 s).

Series are hourly (30 days): a daily cycle, a per-series level and noise, some trends, missing
points and injected spikes. They are generated and scored in chunks (bounded memory) by one
worker process per core. The baseline is a plain z-score (mean/std of the history) scored on
the same chunks in the same run. Besides the wall time it prints each phase's CPU time (which
other work on a shared machine does not inflate) and the load average, so a wall time measured
on a busy machine can be read for what it is.

Usage::

    python benchmarks/anomaly_throughput.py [--series 500000] [--points 720] [--chunk 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.anomaly.config import AnomalyConfig  # noqa: E402
from agent.anomaly.latest import score_latest  # noqa: E402

START = np.datetime64("2024-01-01T00:00")


def make_chunk(seed: int, n_series: int, n_points: int) -> np.ndarray:
    """Hourly series: level, daily cycle, trend, noise, 1 % missing points, 5 % end in a spike."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    hours = np.arange(n_points, dtype=f32)
    level = rng.uniform(10, 10_000, (n_series, 1)).astype(f32)
    amplitude = rng.uniform(0.0, 0.3, (n_series, 1)).astype(f32) * level
    noise = rng.uniform(0.01, 0.1, (n_series, 1)).astype(f32) * level
    slope = rng.normal(0, 0.0005, (n_series, 1)).astype(f32) * level
    values = rng.standard_normal((n_series, n_points), dtype=f32)
    values *= noise
    values += level
    values += amplitude * np.sin(f32(2 * np.pi / 24) * hours)
    values += slope * hours
    spikes = rng.random(n_series) < 0.05
    values[spikes, -1] += 8 * noise[spikes, 0]
    gaps = rng.integers(0, n_series * (n_points - 1), n_series * n_points // 100)
    out = values.astype(np.float64)
    out[gaps // (n_points - 1), gaps % (n_points - 1)] = np.nan  # never the latest point
    return out


def score_chunk(job: tuple[int, int, int, str]) -> tuple[float, float, float, float, int]:
    """Generate one chunk and score it.

    Returns (generation CPU s, dq-agent CPU s, dq-agent wall s, baseline CPU s, alerts). CPU
    time is this process' own, so it does not grow when other work shares the cores.
    """
    seed, n_series, n_points, method = job
    cpu = time.process_time()
    values = make_chunk(seed, n_series, n_points)
    generation = time.process_time() - cpu
    timestamps = START + np.arange(n_points) * np.timedelta64(1, "h")
    config = AnomalyConfig(method=method)  # type: ignore[arg-type]
    cpu, wall = time.process_time(), time.perf_counter()
    scored = score_latest(values, timestamps, config)
    ours_cpu, ours_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu = time.process_time()
    hist = values[:, :-1]
    valid = ~np.isnan(hist)
    count = valid.sum(axis=1)
    filled = np.where(valid, hist, 0.0)
    mean = filled.sum(axis=1) / count
    std = np.sqrt(np.maximum((filled * filled).sum(axis=1) / count - mean * mean, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        _ = np.abs((values[:, -1] - mean) / std) > 3
    base = time.process_time() - cpu
    return generation, ours_cpu, ours_wall, base, int(np.count_nonzero(scored.is_anomaly))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=500_000)
    parser.add_argument("--points", type=int, default=720)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--method", default="auto")
    args = parser.parse_args(argv)
    sizes = [min(args.chunk, args.series - i) for i in range(0, args.series, args.chunk)]
    jobs = [(seed, size, args.points, args.method) for seed, size in enumerate(sizes)]
    load_before = os.getloadavg()[0]
    wall_start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(score_chunk, jobs))
    wall = time.perf_counter() - wall_start
    load_after = os.getloadavg()[0]
    generation = sum(r[0] for r in results)
    ours = sum(r[1] for r in results)
    ours_wall = sum(r[2] for r in results)
    base = sum(r[3] for r in results)
    alerts = sum(r[4] for r in results)
    busy = generation + ours + base
    print(f"series {args.series} x {args.points} points, chunks of {args.chunk}, "
          f"{args.workers} worker(s), method {args.method}")
    print(f"load average (1 min) before / after   {load_before:.1f} / {load_after:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"wall time (generation + scoring)      {wall:8.2f} s  ({args.series / wall:,.0f} series/s)")
    print(f"CPU time, data generation             {generation:8.2f} s")
    print(f"CPU time, dq-agent scoring            {ours:8.2f} s  "
          f"({args.series / ours:,.0f} series/s per core; {ours_wall:.2f} s elapsed in workers)")
    print(f"CPU time, plain z-score baseline      {base:8.2f} s  "
          f"({args.series / base:,.0f} series/s per core)")
    print(f"ratio dq-agent / plain z-score (CPU)  {ours / base:8.1f}x")
    print(f"wall time if the {args.workers} workers had their cores to themselves "
          f"~ {busy / args.workers:.1f} s (all CPU time / workers)")
    print(f"alerts raised                         {alerts} ({100 * alerts / args.series:.1f} %; "
          f"about 5 % of series carry an injected spike)")
    print(f"target: <= 60 s wall -> {'met' if wall <= 60 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
