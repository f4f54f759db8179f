"""Running one dataset: its fused queries, the per-check fallback, and the verdicts."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from agent.checks.base import AggregateCheck, Check, QueryCheck
from agent.checks.failing_rows import with_failing_rows
from agent.checks.grouped import read_from_first_block
from agent.checks.planner import ROW_COUNT_KEY, DatasetPlan, FusedQuery, plan_dataset
from agent.checks.results import CheckResult, Outcome, Severity, Status
from agent.checks.sampling import CheckSample, Extrapolation, resolve_sample
from agent.checks.shared_proofs import proof_sharing_columns, share_ascending_proofs
from agent.checks.side_queries import run_side_queries
from agent.checks.subqueries import run_subqueries, splits_subqueries
from agent.checks.value_counts import movable_columns, move_value_counts, read_column_stats
from agent.config.models import DatasetConfig
from agent.warehouses.errors import WarehouseError, WarehouseUnavailable
from agent.warehouses.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatasetRun:
    """Everything one run of a dataset produced."""

    run_id: str
    dataset: str
    warehouse: str
    started_at: datetime
    duration_seconds: float
    results: list[CheckResult]
    row_count: int | None
    queries: int
    freshness_seconds: float | None = None
    error: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def overall_success(self) -> bool:
        return all(result.status in (Status.PASS, Status.WARN) for result in self.results)


def new_run_id(now: datetime) -> str:
    return f"vr_{now:%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:6]}"


def freshness_of(results: list[CheckResult]) -> float | None:
    """Age of the dataset's newest row: the first freshness check's observed value."""
    return next(
        (float(r.outcome.observed_value) for r in results
         if r.check_type == "freshness" and isinstance(r.outcome.observed_value, int | float)),
        None,
    )


def status_of(outcome: Outcome, severity: Severity) -> Status:
    if outcome.details.get("error"):
        return Status.ERROR
    if outcome.success:
        return Status.PASS
    return Status.WARN if severity == Severity.INFO else Status.FAIL


class DatasetRunner:
    """Runs a dataset's plan on its warehouse. One instance per (dataset, config version)."""

    def __init__(
        self, name: str, config: DatasetConfig, warehouse: Warehouse, *,
        warehouses: Mapping[str, Warehouse] | None = None,
        previous: Mapping[str, CheckResult] | None = None,
        samples_elsewhere: Collection[str] = (),
    ) -> None:
        """``warehouses``: every configured warehouse by name (for checks reading another);
        ``previous``: the last computed result of each check (for checks with uses_history);
        ``samples_elsewhere``: checks whose failing-row samples the caller fetches itself."""
        self.name = name
        self.config = config
        self.warehouse = warehouse
        self.warehouses = warehouses or {warehouse.name: warehouse}
        self.previous = previous or {}
        self.samples_elsewhere = samples_elsewhere

    async def run(self) -> DatasetRun:
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        concurrent = splits_subqueries(self.warehouse)
        plan = plan_dataset(self.name, self.config, self.warehouse.engine.dialect, started_at,
                            previous=self.previous, split_subqueries=concurrent)
        planning_queries = await self._apply_column_stats(plan) if concurrent else 0
        # Side queries and standalone subqueries run alongside the fused scans; a fused scan's
        # checks are judged once both are in.
        prerequisites = asyncio.gather(
            run_side_queries(plan, self.warehouse, self.warehouses),
            run_subqueries(plan, self.warehouse),
        )
        try:
            results, row_count, queries = await self._run_scans(plan, started_at, prerequisites)
            queries += planning_queries
            queries += sum(await prerequisites)
            query_results = [self._run_query_check(plan, check, started_at)
                             for check in plan.query_checks]
            if concurrent:
                results.extend(await asyncio.gather(*query_results))
            else:
                results.extend([await result for result in query_results])
            queries += len(plan.query_checks)
        finally:
            if not prerequisites.done():
                prerequisites.cancel()
        order = {name: index for index, name in enumerate(plan.check_order)}
        results.sort(key=lambda result: order.get(result.check, len(order)))
        results, sampled = await with_failing_rows(
            results, plan.checks_by_name(), plan.context, plan.where, self.warehouse,
            self.config.failing_row_samples, skip=self.samples_elsewhere)
        queries += sampled
        freshness = freshness_of(results)
        errors = [r.error for r in results if r.status == Status.ERROR and r.error]
        return DatasetRun(
            run_id=new_run_id(started_at), dataset=self.name, warehouse=self.warehouse.name,
            started_at=started_at, duration_seconds=time.perf_counter() - clock, results=results,
            row_count=row_count, queries=queries, freshness_seconds=freshness,
            error=errors[0] if errors and len(errors) == len(results) else None,
        )

    async def _apply_column_stats(self, plan: DatasetPlan) -> int:
        """On PostgreSQL, where the columns' planner statistics say it pays, move single-column
        counts into their column's grouping (``agent.checks.value_counts``) and let the
        uniqueness proofs of columns stored in order share one pass
        (``agent.checks.shared_proofs``); the statements issued."""
        if self.warehouse.dialect_name != "postgresql":
            return 0
        columns = sorted({*movable_columns(plan), *proof_sharing_columns(plan)})
        if not columns:
            return 0
        try:
            stats = await self.warehouse.run(
                lambda connection: read_column_stats(connection, plan.context.table, columns))
        except WarehouseError as exc:
            log.warning("dataset %s: column statistics unavailable, value counts stay in the "
                        "scan and proofs in their own passes: %s", self.name, exc)
            return 1
        move_value_counts(plan, stats)
        share_ascending_proofs(plan, stats)
        return 1

    async def _run_scans(
        self, plan: DatasetPlan, started_at: datetime, prerequisites: Awaitable[Any]
    ) -> tuple[list[CheckResult], int | None, int]:
        """The fused scans' results, the dataset's row count and the statements issued."""
        results: list[CheckResult] = []
        row_count: int | None = None
        queries = 0
        sample: CheckSample | None = None
        for fused in plan.queries:
            if fused.sampled and sample is None:
                sample, issued = await self._resolve_sample(plan, row_count)
                queries += issued
            fused_results, rows, issued = await self._run_fused(
                plan, fused, started_at, prerequisites, sample if fused.sampled else None)
            results.extend(fused_results)
            queries += issued
            row_count = rows if row_count is None else row_count
        return results, row_count, queries

    async def _resolve_sample(
        self, plan: DatasetPlan, full_rows: int | None
    ) -> tuple[CheckSample, int]:
        """The sample the dataset's samplable checks read (``full_rows``: the full scan's)."""
        return await self.warehouse.run(lambda conn: resolve_sample(
            conn, self.config, plan.context.table, plan.where, full_rows))

    async def _run_fused(
        self, plan: DatasetPlan, fused: FusedQuery, started_at: datetime,
        prerequisites: Awaitable[Any], sample: CheckSample | None = None,
    ) -> tuple[list[CheckResult], int | None, int]:
        """Results of ``fused``'s checks, the dataset's (estimated) row count, statements run;
        judged once ``prerequisites`` (side queries, standalone subqueries) are in."""
        statement = plan.select(fused, sample=sample.plan if sample is not None else None)
        clock = time.perf_counter()
        try:
            row = await self.warehouse.run(functools.partial(_one_row, statement=statement))
        except WarehouseUnavailable as exc:
            elapsed = time.perf_counter() - clock
            results = [self._error(c, started_at, elapsed, f"warehouse unreachable: {exc}")
                       for c in fused.checks]
            return results, None, 1
        except WarehouseError as exc:
            log.info("fused query failed, retrying check by check",
                     extra={"dataset": self.name, "error": str(exc)})
            await prerequisites
            results, rows, issued = await self._run_one_by_one(plan, fused, started_at, sample)
            return results, rows, 1 + issued
        await prerequisites
        elapsed = time.perf_counter() - clock
        by_key = {key: row[label] for key, label in fused.labels.items()}
        by_key.update(plan.subquery_values)
        rows = by_key.get(ROW_COUNT_KEY)
        scaling = sample.extrapolation(rows) if sample is not None else None
        results = [self._judge(plan, check, by_key, started_at, elapsed, scaling)
                   for check in fused.checks]
        return results, _row_count(rows, scaling), 1

    async def _run_one_by_one(
        self, plan: DatasetPlan, fused: FusedQuery, started_at: datetime,
        sample: CheckSample | None = None,
    ) -> tuple[list[CheckResult], int | None, int]:
        """Each check of a failed fused query on its own: results, row count, statements."""
        results: list[CheckResult] = []
        rows: int | None = None
        issued = 0
        for check in fused.checks:
            statement = plan.select(fused, [check], sample.plan if sample is not None else None)
            labels = {label: key for key, label in fused.labels.items()}
            clock = time.perf_counter()
            if statement.selected_columns:
                issued += 1
                try:
                    row = await self.warehouse.run(
                        functools.partial(_one_row, statement=statement))
                except WarehouseError as exc:
                    elapsed = time.perf_counter() - clock
                    results.append(self._error(check, started_at, elapsed, str(exc)))
                    continue
            else:  # everything it needs came from standalone subqueries
                row = {}
            elapsed = time.perf_counter() - clock
            by_key = {labels[label]: value for label, value in row.items()}
            by_key.update(plan.subquery_values)
            scaling = sample.extrapolation(by_key.get(ROW_COUNT_KEY)) if sample is not None else None
            if ROW_COUNT_KEY in by_key and by_key[ROW_COUNT_KEY] is not None:
                rows = _row_count(by_key[ROW_COUNT_KEY], scaling)
            results.append(self._judge(plan, check, by_key, started_at, elapsed, scaling))
        return results, rows, issued

    async def _run_query_check(
        self, plan: DatasetPlan, check: QueryCheck[Any], started_at: datetime
    ) -> CheckResult:
        clock = time.perf_counter()
        try:
            outcome = await self.warehouse.run(
                lambda conn: check.run(conn, plan.context, plan.where)
            )
        except WarehouseError as exc:
            return self._error(check, started_at, time.perf_counter() - clock, str(exc))
        return self._result(check, outcome, started_at, time.perf_counter() - clock)

    def _judge(
        self, plan: DatasetPlan, check: AggregateCheck[Any], by_key: Mapping[str, Any],
        started_at: datetime, elapsed: float, scaling: Extrapolation | None = None,
    ) -> CheckResult:
        if check.name in plan.side_errors:
            return self._error(check, started_at, elapsed, plan.side_errors[check.name])
        failed = [plan.subquery_errors[key] for key in plan.metric_keys[check.name].values()
                  if key in plan.subquery_errors]
        if failed:
            return self._error(check, started_at, elapsed, failed[0])
        values = {local: by_key[key] for local, key in plan.metric_keys[check.name].items()}
        values.update(plan.side_values.get(check.name, {}))
        if scaling is not None:
            values = scaling.apply(check, values)
        try:
            outcome = check.evaluate(values, plan.context)
        except (TypeError, ValueError, ArithmeticError) as exc:
            return self._error(check, started_at, elapsed, f"cannot evaluate: {exc}")
        result = self._result(check, outcome, started_at, elapsed)
        return replace(result, estimated_from=scaling.sample) if scaling is not None else result

    def _result(
        self, check: Check[Any], outcome: Outcome, started_at: datetime, elapsed: float,
        error: str | None = None,
    ) -> CheckResult:
        return CheckResult(
            warehouse=self.warehouse.name, dataset=self.name, check=check.name,
            check_type=check.check_type, column=check.column,
            severity=check.spec.severity.value, dimension=check.dimension,
            status=status_of(outcome, check.spec.severity), outcome=outcome,
            started_at=started_at, duration_seconds=elapsed, error=error,
        )

    def _error(self, check: Check[Any], started_at: datetime, elapsed: float, message: str) -> CheckResult:
        log.warning("check errored: %s", message,
                    extra={"dataset": self.name, "check": check.name})
        return self._result(check, Outcome.failed_with_error(message), started_at, elapsed, message)


def _row_count(rows: Any, scaling: Extrapolation | None) -> int | None:
    """A query's row count, scaled to the table when it read a sample."""
    if rows is None:
        return None
    return round(int(rows) * scaling.scale) if scaling is not None else int(rows)


def _one_row(connection: Connection, *, statement: Any) -> dict[str, Any]:
    read_from_first_block(connection, statement)
    result = connection.execute(statement).mappings().first()
    return dict(result) if result is not None else {}
