"""Running a rule: its expectations through the planner (one fused query), then the unexpected
values of failing map expectations, the version in the store and the alert decision."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.checks.builtin.ge_base import GEMapCheck
from agent.checks.planner import plan_dataset
from agent.checks.results import CheckResult, Status
from agent.checks.runner import DatasetRun, DatasetRunner
from agent.rules.convert import dataset_config
from agent.rules.models import RuleFile
from agent.rules.templates import now_utc
from agent.rules.unexpected import with_unexpected_values
from agent.warehouses.warehouse import Warehouse


@dataclass(frozen=True)
class RuleRun:
    """One run of one rule."""

    rule: RuleFile
    run: DatasetRun
    results: list[CheckResult]
    execution_time_ms: float
    queries: int
    rule_version: int | None = None
    alert_triggered: bool = False

    @property
    def success(self) -> bool:
        return all(result.status in (Status.PASS, Status.WARN) for result in self.results)

    @property
    def errored(self) -> bool:
        return bool(self.results) and all(r.status == Status.ERROR for r in self.results)


async def run_rule(
    rule: RuleFile, warehouse: Warehouse, now: datetime | None = None, *,
    warehouses: Mapping[str, Warehouse] | None = None,
) -> RuleRun:
    """Run ``rule`` once on ``warehouse`` (templates rendered at ``now``, default: the clock);
    ``warehouses``: every warehouse by name, for expectations that read another one."""
    clock = time.perf_counter()
    moment = now or now_utc()
    config = dataset_config(rule, moment)
    plan = plan_dataset(rule.dataset, config, warehouse.engine.dialect, moment)
    checks: dict[str, Any] = {check.name: check for check in plan.aggregate_checks}
    map_checks = {name for name, check in checks.items() if isinstance(check, GEMapCheck)}
    # A map expectation's failing-row samples come with its unexpected values, in one SELECT.
    run = await DatasetRunner(rule.dataset, config, warehouse, warehouses=warehouses,
                              samples_elsewhere=map_checks).run()
    results: list[CheckResult] = []
    queries = run.queries
    for result in run.results:
        check = checks.get(result.check)
        if isinstance(check, GEMapCheck):
            result, issued = await with_unexpected_values(
                result, check, plan.context, plan.where, warehouse, config.failing_row_samples,
            )
            queries += issued
        results.append(result)
    elapsed_ms = (time.perf_counter() - clock) * 1000.0
    return RuleRun(rule=rule, run=run, results=results, execution_time_ms=elapsed_ms,
                   queries=queries)
