"""drift check on DuckDB and the real PostgreSQL: same distribution passes, shifted data fails,
with the statistic as the observed value; references: last runs, pinned, by id, missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from agent.checks.results import CheckResult, Status
from agent.config.models import DatasetConfig
from agent.profiling import references
from agent.profiling.profiler import profile_dataset
from agent.profiling.store import ProfileStore
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {"amount": sa.Float(), "status": sa.String(10)}


def _rows(seed: int, shift: float = 0.0, statuses: tuple[float, ...] = (0.5, 0.3, 0.2)) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    amounts = rng.normal(100.0 + shift, 15.0, 4000)
    picks = rng.choice(["new", "paid", "lost"], size=4000, p=list(statuses))
    return [{"amount": float(a), "status": str(s)} for a, s in zip(amounts, picks, strict=True)]


def _message(result: CheckResult) -> str:
    return result.error or result.outcome.message or ""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProfileStore]:
    opened = ProfileStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    references.install(opened)
    yield opened
    references.install(None)
    opened.close()


def _profile_reference(backend: Backend, store: ProfileStore, rows: list[dict[str, Any]]) -> str:
    backend.create_table("t", COLUMNS, rows)
    dataset = DatasetConfig.model_validate({"table": "t", "schema": backend.schema})
    with backend.engine.connect() as connection:
        run = profile_dataset(connection, "d", dataset)
    saved = store.save(run.profile, run.sketches)
    assert saved.profile_id is not None
    return saved.profile_id


@pytest.mark.parametrize("backend_name", ["duckdb", "postgresql"])
async def test_same_distribution_passes_shift_fails(
    backend_name: str, tmp_path: Path, store: ProfileStore, request: pytest.FixtureRequest
) -> None:
    backend: Backend = request.getfixturevalue(
        "postgres_backend" if backend_name == "postgresql" else "duckdb_backend")
    _profile_reference(backend, store, _rows(1))
    checks = [
        {"type": "drift", "column": "amount"},
        {"type": "drift", "column": "amount", "method": "psi", "name": "amount_psi"},
        {"type": "drift", "column": "status"},
        {"type": "drift", "column": "status", "method": "categorical_psi", "name": "status_psi"},
    ]
    same = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=_rows(2))
    for name in ("drift_amount", "amount_psi", "drift_status", "status_psi"):
        assert same[name].status == Status.PASS, (name, same[name].outcome)
    ks_same = same["drift_amount"].outcome
    assert isinstance(ks_same.observed_value, float) and ks_same.observed_value < 0.05
    assert ks_same.details["p_value"] > 0.05 and ks_same.element_count == 4000

    shifted = await run_checks(backend, tmp_path, checks, columns=COLUMNS,
                               rows=_rows(3, shift=10.0, statuses=(0.2, 0.3, 0.5)))
    for name in ("drift_amount", "amount_psi", "drift_status", "status_psi"):
        assert shifted[name].status == Status.FAIL, (name, shifted[name].outcome)
    ks = shifted["drift_amount"].outcome
    assert isinstance(ks.observed_value, float) and ks.observed_value > 0.2
    assert ks.details["p_value"] < 1e-6 and "p-value" in (ks.message or "")
    psi = shifted["amount_psi"].outcome
    assert isinstance(psi.observed_value, float) and psi.expected_max == 0.2 and psi.observed_value > 0.2


async def test_references_pinned_by_id_and_merged_runs(
    duckdb_backend: Backend, tmp_path: Path, store: ProfileStore
) -> None:
    first = _profile_reference(duckdb_backend, store, _rows(1))
    _profile_reference(duckdb_backend, store, _rows(4, shift=10.0))  # the newest: shifted
    checks: list[dict[str, Any]] = [
        {"type": "drift", "column": "amount", "name": "last"},
        {"type": "drift", "column": "amount", "name": "by_id", "reference": {"profile": first}},
        {"type": "drift", "column": "amount", "name": "pinned", "reference": {"pinned": True}},
    ]
    ran = await run_checks(duckdb_backend, tmp_path, checks, columns=COLUMNS, rows=_rows(5))
    assert ran["last"].status == Status.FAIL  # current data looks like the first, not the newest
    assert ran["by_id"].status == Status.PASS
    assert ran["pinned"].status == Status.ERROR
    assert "pin one with --pin" in _message(ran["pinned"])

    store.pin(first)
    two: list[dict[str, Any]] = [{"type": "drift", "column": "amount", "name": "pinned", "reference": {"pinned": True}},
           {"type": "drift", "column": "amount", "name": "both", "reference": {"runs": 2}}]
    ran = await run_checks(duckdb_backend, tmp_path, two, columns=COLUMNS, rows=_rows(6))
    assert ran["pinned"].status == Status.PASS
    merged = ran["both"].outcome
    assert "(2)" not in (merged.message or "") and merged.message is not None
    assert merged.message.count("pr_") == 2


async def test_errors_are_clear(duckdb_backend: Backend, tmp_path: Path, store: ProfileStore) -> None:
    checks: list[dict[str, Any]] = [{"type": "drift", "column": "amount"},
              {"type": "drift", "column": "status", "method": "ks", "name": "wrong_method"}]
    ran = await run_checks(duckdb_backend, tmp_path, checks, columns=COLUMNS, rows=_rows(1))
    assert ran["drift_amount"].status == Status.ERROR
    assert "run `dq-agent profile`" in _message(ran["drift_amount"])
    _profile_reference(duckdb_backend, store, _rows(1))
    ran = await run_checks(duckdb_backend, tmp_path, checks, columns=None)
    assert ran["wrong_method"].status == Status.ERROR
    assert "chi_square or categorical_psi" in _message(ran["wrong_method"])
    references.install(None)
    ran = await run_checks(duckdb_backend, tmp_path, checks[:1], columns=None)
    assert "no history store" in _message(ran["drift_amount"])


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="significance level"):
        DatasetConfig.model_validate({"table": "t", "checks": [
            {"type": "drift", "column": "a", "method": "ks", "threshold": 2}]})
    with pytest.raises(ValueError, match="pinned or profile"):
        DatasetConfig.model_validate({"table": "t", "checks": [
            {"type": "drift", "column": "a", "reference": {"pinned": True, "profile": "pr_1"}}]})
