"""column_compare on every backend: a <op> b and a * b = c within a tolerance, fused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.results import Status
from agent.config.models import DatasetConfig
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {"start_day": sa.Integer(), "end_day": sa.Integer(), "qty": sa.Float(),
           "price": sa.Float(), "total": sa.Float()}
ROWS: list[dict[str, Any]] = [
    {"start_day": 1, "end_day": 2, "qty": 2.0, "price": 1.5, "total": 3.0},
    {"start_day": 5, "end_day": 3, "qty": 3.0, "price": 2.0, "total": 6.004},
    {"start_day": 4, "end_day": 4, "qty": 1.0, "price": 1.0, "total": 1.5},
    {"start_day": None, "end_day": 1, "qty": None, "price": 1.0, "total": 1.0},
]


async def test_comparisons_and_products(backend: Backend, tmp_path: Path) -> None:
    ran = await run_checks(backend, tmp_path, [
        {"type": "column_compare", "column_a": "start_day", "column_b": "end_day"},
        {"type": "column_compare", "column_a": "start_day", "column_b": "end_day", "op": "<",
         "mostly": 0.3},
        {"type": "column_compare", "column_a": "qty", "column_b": "price", "product": "total",
         "tolerance": 0.01},
        {"type": "column_compare", "column_a": "qty", "column_b": "price", "product": "total",
         "name": "exact"},
    ], columns=COLUMNS, rows=ROWS)
    le = ran["column_compare_start_day_le_end_day"]
    assert le.status == Status.FAIL
    assert (le.outcome.unexpected_count, le.outcome.element_count, le.outcome.missing_count) == (
        1, 4, 1)
    lt = ran["column_compare_start_day_lt_end_day"]
    assert lt.outcome.unexpected_count == 2 and lt.status == Status.PASS
    product = ran["column_compare_qty_x_price_eq_total"]
    assert product.outcome.unexpected_count == 1  # 1 * 1 != 1.5; 3 * 2 ~ 6.004
    assert ran["exact"].outcome.unexpected_count == 2
    assert ran.run.queries == 1 + 3  # the fused scan, a failing-row sample per failing check


def test_tolerance_needs_a_product() -> None:
    with pytest.raises(ValidationError, match="tolerance applies to `product`"):
        DatasetConfig.model_validate({"table": "t", "checks": [
            {"type": "column_compare", "column_a": "a", "column_b": "b", "tolerance": 1}]})
