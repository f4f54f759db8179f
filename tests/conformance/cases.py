"""Great Expectations' own test cases (../shared/data/ge-conformance), one Case per test."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(os.environ.get(
    "DQ_GE_CONFORMANCE_DIR", Path(__file__).resolve().parents[3] / "shared/data/ge-conformance"
))
# GE has no DuckDB backend: DuckDB takes PostgreSQL's column types and suppressions.
GE_BACKEND = {"duckdb": "postgresql", "sqlite": "sqlite", "postgresql": "postgresql"}


@dataclass(frozen=True)
class Dataset:
    key: str  # <expectation_type>/<dataset index>
    expectation_type: str
    data: dict[str, list[Any]]
    schemas: dict[str, dict[str, str]]
    suppress_test_for: list[str]
    only_for: list[str] | None


@dataclass(frozen=True)
class Case:
    id: str  # <expectation_type>/<dataset index>/<title>
    dataset: Dataset
    title: str
    kwargs: dict[str, Any]
    out: dict[str, Any]
    exact_match_out: bool
    suppress_test_for: list[str] = field(default_factory=list)
    only_for: list[str] | None = None
    tolerance: float | None = None
    expects_error: bool = False

    def applies_to(self, backend: str) -> tuple[bool, str]:
        """Whether Great Expectations runs this case on ``backend``, and why not."""
        ge_name = GE_BACKEND[backend]
        suppressed = set(self.suppress_test_for) | set(self.dataset.suppress_test_for)
        if ge_name in suppressed or "sqlalchemy" in suppressed:
            return False, f"suppress_test_for {sorted(suppressed)}"
        for only in (self.only_for, self.dataset.only_for):
            if only is not None and ge_name not in only and "sqlalchemy" not in only:
                return False, f"only_for {only}"
        return True, ""


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.glob("*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        expectation = document["expectation_type"]
        for index, raw in enumerate(document["datasets"]):
            dataset = Dataset(
                key=f"{expectation}/{index}", expectation_type=expectation, data=raw["data"],
                schemas=raw.get("schemas", {}), suppress_test_for=raw.get("suppress_test_for", []),
                only_for=raw.get("only_for"),
            )
            seen: dict[str, int] = {}
            for test in raw["tests"]:
                title = test["title"]
                seen[title] = seen.get(title, 0) + 1
                if seen[title] > 1:
                    title = f"{title}#{seen[title]}"
                out = test.get("out", {})
                kwargs = test.get("in", {})
                expects_error = (
                    "traceback_substring" in out or "error" in test
                    or (not out and bool(kwargs.get("catch_exceptions")))
                )
                cases.append(Case(
                    id=f"{dataset.key}/{title}", dataset=dataset, title=title, kwargs=kwargs,
                    out=out, exact_match_out=bool(test.get("exact_match_out")),
                    suppress_test_for=test.get("suppress_test_for", []),
                    only_for=test.get("only_for"), tolerance=test.get("tolerance"),
                    expects_error=expects_error,
                ))
    return cases
