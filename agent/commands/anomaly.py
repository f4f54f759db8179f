"""``dq-agent anomaly score``: causal anomaly scoring of a ``timestamp,value`` CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from agent.anomaly.config import AnomalyConfig
from agent.anomaly.ensemble import METHODS
from agent.anomaly.streaming import read_series_csv, score_stream
from agent.commands.anomaly_feedback import register_actions


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("anomaly", help="anomaly detection tools")
    sub = parser.add_subparsers(dest="anomaly_command", metavar="ACTION", required=True)
    score = sub.add_parser(
        "score",
        help="score every point of a timestamp,value CSV using only the points before it",
    )
    score.add_argument("--input", required=True, type=Path, help="CSV with timestamp,value")
    score.add_argument("--output", required=True, type=Path,
                       help="CSV written as timestamp,value,anomaly_score,flag")
    score.add_argument("--method", default="auto", choices=("auto", *METHODS))
    score.add_argument("--sensitivity", type=float, default=0.5,
                       help="(0, 1], higher alerts on smaller deviations (default 0.5)")
    score.add_argument("--direction", default="both", choices=("both", "spike", "drop"))
    score.add_argument("--seasonality", default="auto",
                       choices=("auto", "none", "hour_of_day", "day_of_week", "hour_of_week"))
    score.set_defaults(handler=run_score)
    register_actions(sub)


def run_score(args: argparse.Namespace) -> int:
    try:
        config = AnomalyConfig(
            sensitivity=args.sensitivity,
            direction=args.direction,
            seasonality=args.seasonality,
            method=args.method,
        )
        timestamps, values = read_series_csv(args.input)
    except (OSError, ValueError) as exc:
        print(f"dq-agent anomaly score: {exc}", file=sys.stderr)
        return 2
    try:
        result = score_stream(values, timestamps or None, method=args.method, config=config)
    except ValueError as exc:  # e.g. unparsable timestamps
        print(f"dq-agent anomaly score: {args.input}: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value", "anomaly_score", "flag"])
        for ts, value, score, flag in zip(timestamps, values, result.score, result.flag,
                                          strict=True):
            writer.writerow([ts, "" if value != value else repr(float(value)),
                             f"{float(score):.6f}", int(flag)])
    flagged = int(result.flag.sum())
    print(f"scored {len(values)} points from {args.input}; {flagged} alert(s); "
          f"written to {args.output}")
    return 0
