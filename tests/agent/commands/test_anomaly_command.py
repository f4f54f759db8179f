"""``dq-agent anomaly score`` end to end on a small CSV."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from agent.commands import anomaly


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    anomaly.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_score_writes_causal_scores_and_flags(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    rng = np.random.default_rng(0)
    values = rng.normal(20, 1, 600)
    values[500] = 45
    start = np.datetime64("2024-01-01T00:00")
    with src.open("w") as handle:
        handle.write("timestamp,value\n")
        for i, v in enumerate(values):
            handle.write(f"{start + np.timedelta64(5 * i, 'm')},{v}\n")
    out = tmp_path / "out.csv"
    assert run(["anomaly", "score", "--input", str(src), "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score", "flag"]
    assert len(rows) == 600
    flags = [int(r["flag"]) for r in rows]
    assert flags[500] == 1
    assert sum(flags) <= 2
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)


def test_bad_csv_gets_clear_error(tmp_path: Path, capsys: object) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("timestamp,value\n2024-01-01,abc\n")
    code = run(["anomaly", "score", "--input", str(src), "--output", str(tmp_path / "o.csv")])
    assert code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "bad.csv:2" in err and "not a number" in err
