"""Running a dataset's cases through the normal path: one rule with an expectation per case,
planned and fused like any other rule, on a table built from the case data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.checks.results import CheckResult, Status
from agent.config.models import WarehouseConfig
from agent.rules.convert import RuleError, dataset_config
from agent.rules.models import Expectation, RuleFile
from agent.rules.runner import run_rule
from agent.rules.templates import now_utc
from agent.warehouses.warehouse import Warehouse
from tests.conformance.cases import Case
from tests.support.backends import Backend


@dataclass(frozen=True)
class Observed:
    """What dq-agent produced for one case: a result, or the error that prevented one."""

    result: CheckResult | None
    error: str | None = None

    @property
    def errored(self) -> bool:
        return self.result is None or self.result.status == Status.ERROR


def expectation_of(case: Case, name: str) -> Expectation:
    kwargs: dict[str, Any] = {"result_format": "COMPLETE", **case.kwargs}
    return Expectation(expectation_type=case.dataset.expectation_type, kwargs=kwargs, name=name)


def rule_of(dataset: str, expectations: list[Expectation], rule_id: str) -> RuleFile:
    return RuleFile(rule_id=rule_id, dataset=dataset, expectations=expectations)


async def run_cases(backend: Backend, table: str, cases: list[Case]) -> tuple[dict[str, Observed], int]:
    """Observed results by case id, and the number of queries the rule run issued."""
    dataset = f"{backend.schema}.{table}" if backend.schema else table
    observed: dict[str, Observed] = {}
    valid: list[tuple[Case, Expectation]] = []
    for index, case in enumerate(cases):
        expectation = expectation_of(case, f"c{index}")
        try:
            dataset_config(rule_of(dataset, [expectation], "probe"), now_utc())
        except (RuleError, ValueError) as exc:
            observed[case.id] = Observed(None, str(exc))
            continue
        valid.append((case, expectation))
    if not valid:
        return observed, 0
    rule = rule_of(dataset, [expectation for _, expectation in valid], f"ge_{table}")
    warehouse = Warehouse("w", WarehouseConfig(url=backend.url))
    try:
        rule_run = await run_rule(rule, warehouse)
    finally:
        warehouse.close()
    by_name = {result.check: result for result in rule_run.results}
    for case, expectation in valid:
        result = by_name[expectation.name or ""]
        observed[case.id] = Observed(result, result.error)
    return observed, rule_run.queries
