"""``dq-agent anomaly mark-false-positive``: tell the agent a flagged point was no anomaly.

The point leaves the series' training data and each mark lowers the series' sensitivity.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from agent.commands.config_access import load_or_report, report_unknown_datasets
from agent.store.history import HistoryStore


def register_actions(sub: argparse._SubParsersAction) -> None:
    mark = sub.add_parser(
        "mark-false-positive", help="mark a flagged point of a monitored series as a false alarm"
    )
    mark.add_argument("--config", required=True, type=Path, help="the agent's YAML config")
    mark.add_argument("--dataset", required=True)
    mark.add_argument("--metric", required=True,
                      help="series name: row_count, freshness_seconds, <check> or <check>.<metric>")
    mark.add_argument("--at", required=True,
                      help="time of the flagged point, ISO 8601 (e.g. 2026-11-21T09:00:00Z)")
    mark.set_defaults(handler=run_mark)


def run_mark(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None or not report_unknown_datasets(config, [args.dataset]):
        return 2
    try:
        moment = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
    except ValueError:
        print(f"dq-agent: --at {args.at!r} is not an ISO 8601 time such as 2026-11-21T09:00:00Z",
              file=sys.stderr)
        return 2
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    store = HistoryStore(config.agent.store_url())
    try:
        store.mark_false_positive(args.dataset, args.metric, moment.timestamp())
        marks = len(store.false_positives(args.dataset).get(args.metric, []))
    finally:
        store.close()
    print(f"marked {args.dataset} {args.metric} at {moment.isoformat()} as a false positive "
          f"({marks} on this series)")
    return 0
