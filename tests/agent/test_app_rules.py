"""The agent runs the rule files its config references: scheduled by their cron, exported like
any dataset (named by rule_id), versioned in the history store, templates rendered per run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest

import agent.app
from agent.app import Agent
from agent.config.loader import load_config
from agent.rules.templates import now_utc
from agent.store import schema
from tests.agent.config.test_includes import write_config, write_rules
from tests.agent.rules.test_rule_run import users
from tests.support.backends import Backend

RULE_ID = "user_table_freshness_check"


def stored(agent_: Agent) -> tuple[list[tuple[str, int]], list[tuple[str, str | None, str]]]:
    assert agent_.store is not None
    with agent_.store.engine.connect() as connection:
        versions = connection.execute(
            sa.select(schema.validation_rules.c.rule_id, schema.validation_rules.c.version)
        ).all()
        runs = connection.execute(sa.select(
            schema.validation_runs.c.dataset, schema.validation_runs.c.rule_id,
            schema.validation_runs.c.overall_result,
        ).order_by(schema.validation_runs.c.id)).all()
    return [tuple(row) for row in versions], [tuple(row) for row in runs]


async def test_agent_schedules_exports_and_versions_config_rules(
    duckdb_backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users(duckdb_backend, newest_age=timedelta(minutes=20), duplicate=False, bad_emails=0)
    duckdb_backend.execute("CREATE TABLE items AS SELECT 1 AS id")
    write_rules(tmp_path, "main.users")
    path = write_config(tmp_path, duckdb_backend)
    agent_ = Agent(load_config(path), path)
    await agent_.start(serve_http=False)
    try:
        assert agent_.scheduler.scheduled[RULE_ID].schedule.cron == "0 * * * *"
        run = await agent_.run_dataset(RULE_ID)
        assert run is not None and run.overall_success
        text = generate_latest(agent_.registry).decode()
        assert (f'dq_check_success{{check="expect_column_max_to_be_between_created_at",'
                f'check_type="expect_column_max_to_be_between",column="created_at",'
                f'dataset="{RULE_ID}",severity="critical",warehouse="w"}} 1.0') in text
        assert f'dq_dataset_row_count{{dataset="{RULE_ID}",warehouse="w"}} 100.0' in text

        # Three hours on, "{{ now - 1 hour }}" must move with the clock: the data is now stale.
        later = now_utc() + timedelta(hours=3)

        def shifted() -> datetime:
            return later

        monkeypatch.setattr(agent.app, "now_utc", shifted)
        run = await agent_.run_dataset(RULE_ID)
        assert run is not None
        status = {r.check: r.status.value for r in run.results}
        assert status["expect_column_max_to_be_between_created_at"] == "fail"
        assert status["expect_column_values_to_be_unique_user_id"] == "pass"
        versions, runs = stored(agent_)
        assert versions == [(RULE_ID, 1)]
        rule_runs = [row for row in runs if row[1] == RULE_ID]
        assert rule_runs[-2:] == [(RULE_ID, RULE_ID, "success"), (RULE_ID, RULE_ID, "failure")]
        assert all(row[1] is None for row in runs if row[0] == "items")
    finally:
        await agent_.stop()

    # A changed rule file is a new version on the next run after the reload.
    rule_file = tmp_path / "rules" / "users.yaml"
    rule_file.write_text(rule_file.read_text().replace("mostly: 0.99\n", "mostly: 0.95\n"))
    agent_ = Agent(load_config(path), path)
    await agent_.start(serve_http=False)
    try:
        await agent_.run_dataset(RULE_ID)
        versions, _ = stored(agent_)
        assert sorted(versions) == [(RULE_ID, 1), (RULE_ID, 2)]
    finally:
        await agent_.stop()
