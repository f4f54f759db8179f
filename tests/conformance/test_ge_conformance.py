"""Great Expectations' own cases, run through dq-agent on DuckDB, SQLite and PostgreSQL.

Each case dataset becomes one table per backend; all of its cases become one rule that runs
through the planner like any other (one fused query, plus the per-expectation queries of
expectations that need their own). Every applicable case must agree with Great Expectations,
or be listed in known_failures.yaml with its reason; a listed case that now passes fails the
test too, so the list stays honest. Cases Great Expectations itself does not run on a backend
(suppress_test_for / only_for) are counted as not applicable.

DQ_GE_WRITE_KNOWN_FAILURES=1 rewrites the backend's section of known_failures.yaml from the
current mismatches (the reasons then need a human read).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.conformance.cases import CASES_DIR, Case, load_cases
from tests.conformance.compare import mismatch
from tests.conformance.execute import Observed, run_cases
from tests.conformance.tables import create
from tests.support.backends import open_backend
from tests.support.components import unavailable
from tests.support.summary import record

KNOWN_FAILURES = Path(__file__).with_name("known_failures.yaml")
BACKENDS = ("duckdb", "sqlite", "postgresql")


def known_failures(backend: str) -> dict[str, str]:
    data = yaml.safe_load(KNOWN_FAILURES.read_text(encoding="utf-8")) or {}
    return {**(data.get("all") or {}), **(data.get(backend) or {})}


def write_known_failures(backend: str, failures: dict[str, str]) -> None:
    data = yaml.safe_load(KNOWN_FAILURES.read_text(encoding="utf-8")) if KNOWN_FAILURES.exists() else {}
    data = data or {}
    data[backend] = dict(sorted(failures.items())) or {}
    KNOWN_FAILURES.write_text(yaml.safe_dump(data, sort_keys=True, width=100, allow_unicode=True),
                              encoding="utf-8")


def group_by_dataset(cases: list[Case]) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        groups[case.dataset.key].append(case)
    return groups


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend_name", BACKENDS)
async def test_ge_conformance(backend_name: str, tmp_path: Path) -> None:
    if not CASES_DIR.is_dir():
        unavailable(f"Great Expectations conformance cases not found at {CASES_DIR}")
    cases = load_cases()
    assert len(cases) > 300, f"only {len(cases)} cases loaded from {CASES_DIR}"
    applicable: list[Case] = []
    not_applicable: list[tuple[Case, str]] = []
    for case in cases:
        applies, why = case.applies_to(backend_name)
        (applicable.append(case) if applies else not_applicable.append((case, why)))
    started = time.perf_counter()
    observed: dict[str, Observed] = {}
    queries = 0
    with open_backend(backend_name, tmp_path) as backend:
        for group in group_by_dataset(applicable).values():
            try:
                table = create(backend, group[0].dataset)
            except Exception as exc:
                for case in group:
                    observed[case.id] = Observed(None, f"cannot load the case data: {exc}")
                continue
            results, issued = await run_cases(backend, table, group)
            observed.update(results)
            queries += issued
    elapsed = time.perf_counter() - started

    failures = {case.id: problem for case in applicable
                if (problem := mismatch(case, observed[case.id])) is not None}
    if os.environ.get("DQ_GE_WRITE_KNOWN_FAILURES"):
        write_known_failures(backend_name, failures)
    known = known_failures(backend_name)
    unexpected = {cid: why for cid, why in failures.items() if cid not in known}
    now_passing = sorted(cid for cid in known if cid not in failures
                         and any(case.id == cid for case in applicable))
    stale = sorted(cid for cid in known if all(case.id != cid for case in applicable))
    passed = len(applicable) - len(failures)
    summary = (f"GE conformance on {backend_name}: {passed}/{len(applicable)} applicable cases pass, "
               f"{len(failures)} known failures listed, {len(not_applicable)} of {len(cases)} cases "
               f"not applicable (suppress_test_for/only_for); {len(group_by_dataset(applicable))} "
               f"tables, {queries} queries, {elapsed:.1f}s")
    record("Great Expectations conformance", summary)
    assert not unexpected, "cases that disagree with Great Expectations and are not listed:\n" + \
        "\n".join(f"  {cid}: {why}" for cid, why in sorted(unexpected.items()))
    assert not now_passing, "listed as known failures but now pass; remove them:\n" + \
        "\n".join(f"  {cid}" for cid in now_passing)
    assert not stale, "known failures that name no applicable case:\n" + "\n".join(stale)
