"""Quality scores: the formula on known results, real runs on every backend, the agent's gauges."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.app import Agent
from agent.checks.results import CheckResult, Outcome, Status
from agent.config.models import Config
from agent.quality import QualityConfig, check_score, quality_score
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend


def result(check: str, dimension: str, status: Status, ratio: float | None = None,
           severity: str = "warning") -> CheckResult:
    return CheckResult(
        warehouse="w", dataset="d", check=check, check_type="t", column="", severity=severity,
        dimension=dimension, status=status,
        outcome=Outcome(success=status == Status.PASS, unexpected_ratio=ratio),
        started_at=datetime.now(UTC), duration_seconds=0.0,
    )


def test_map_checks_score_their_expected_share_and_others_pass_or_fail() -> None:
    assert check_score(result("a", "validity", Status.FAIL, ratio=0.25)) == 0.75
    assert check_score(result("a", "validity", Status.PASS, ratio=0.01)) == pytest.approx(0.99)
    assert check_score(result("a", "validity", Status.PASS)) == 1.0
    assert check_score(result("a", "validity", Status.FAIL)) == 0.0
    assert check_score(result("a", "validity", Status.WARN)) == 0.0
    assert check_score(result("a", "validity", Status.ERROR)) is None


def test_dimensions_weigh_checks_by_severity_and_overall_by_dimension_weights() -> None:
    results = [
        result("c1", "completeness", Status.PASS, severity="critical"),   # 1 x 3
        result("c2", "completeness", Status.FAIL, severity="info"),       # 0 x 1
        result("u1", "uniqueness", Status.FAIL, ratio=0.5),               # 0.5 x 2
        result("e1", "timeliness", Status.ERROR),                         # left out
    ]
    score = quality_score(results)
    assert score.dimensions == {"completeness": 0.75, "uniqueness": 0.5}
    assert score.overall == pytest.approx(0.625)
    weighted = quality_score(results, QualityConfig(weights={"completeness": 3.0}))
    assert weighted.overall == pytest.approx((3 * 0.75 + 0.5) / 4)
    only_errors = quality_score([result("e1", "timeliness", Status.ERROR)])
    assert only_errors.overall is None and only_errors.dimensions == {}


def test_weights_name_known_dimensions() -> None:
    with pytest.raises(ValidationError, match="unknown quality dimension 'freshness'"):
        QualityConfig(weights={"freshness": 1.0})
    with pytest.raises(ValidationError, match="must be >= 0"):
        QualityConfig(weights={"validity": -1.0})


async def test_scores_of_a_real_run(backend: Backend, tmp_path: Path) -> None:
    rows = [{"id": i % 8, "email": None if i % 4 == 0 else f"u{i}@x.org"} for i in range(16)]
    ran = await run_checks(backend, tmp_path, [
        {"type": "not_null", "column": "email", "severity": "critical"},
        {"type": "unique", "column": "id"},
        {"type": "row_count", "min": 1, "dimension": "accuracy"},
        {"type": "regex", "column": "email", "pattern": "^u[0-9]+@x[.]org$"},
    ], columns={"id": sa.Integer(), "email": sa.String(40)}, rows=rows)
    dims = {r.check: r.dimension for r in ran.run.results}
    assert dims["not_null_email"] == "completeness"
    assert dims["row_count"] == "accuracy"
    score = quality_score(ran.run.results)
    assert score.dimensions["completeness"] == pytest.approx(0.75)
    assert score.dimensions["accuracy"] == 1.0
    assert score.dimensions["validity"] == 1.0
    uniqueness = score.dimensions["uniqueness"]
    assert 0.0 <= uniqueness < 1.0
    assert score.overall == pytest.approx((0.75 + 1.0 + 1.0 + uniqueness) / 4)


async def test_agent_publishes_scores_after_each_run(
    duckdb_backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    duckdb_backend.create_table("items", {"id": sa.Integer(), "name": sa.String(10)},
                                [{"id": 1, "name": "a"}, {"id": 2, "name": None}])
    config = Config.model_validate({
        "agent": {"listen": "127.0.0.1:0", "state_dir": str(tmp_path / "state")},
        "warehouses": {"w": {"url": duckdb_backend.url}},
        "datasets": {"items": {"table": "items", "schedule": "1h",
                               "quality": {"weights": {"completeness": 2}},
                               "checks": [{"type": "not_null", "column": "name"},
                                          {"type": "row_count", "min": 5,
                                           "dimension": "validity"}]}},
    })
    agent = Agent(config)
    monkeypatch.setattr(agent.scheduler, "schedule", lambda *args, **kwargs: None)
    await agent.start(serve_http=False)  # runs below are the only ones
    try:
        run = await agent.run_dataset("items")
        assert run is not None
        published = agent.snapshot.published()
        overall = published["dq_dataset_quality_score"]
        assert overall == [({"warehouse": "w", "dataset": "items"}, pytest.approx((2 * 0.5) / 3))]
        dims = {labels["dimension"]: value
                for labels, value in published["dq_dataset_quality_dimension_score"]}
        assert dims == {"completeness": 0.5, "validity": 0.0}
        assert agent.store is not None
        series = agent.store.series("items", "", "quality_score")
        assert series and series[-1][1] == pytest.approx(1 / 3)
    finally:
        await agent.stop()
