"""A table with known contents for profiling tests, on any backend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from agent.config.models import DatasetConfig
from tests.support.backends import Backend

COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "id": sa.Integer(),
    "amount": sa.Float(),
    "status": sa.String(20),
    "email": sa.String(60),
    "created": sa.DateTime(),
    "constant": sa.Integer(),
    "empty": sa.String(10),
}
STATUSES = ("new", "paid", "shipped", "cancelled")


def make_rows(start: int, stop: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "amount": None if i % 10 == 0 else float(i % 1000) + 0.5,
            "status": STATUSES[i % len(STATUSES)],
            "email": f"user{i}@{'example.com' if i % 4 else 'mail.org'}",
            "created": dt.datetime(2024, 1, 1) + dt.timedelta(hours=i),
            "constant": 7,
            "empty": None,
        }
        for i in range(start, stop)
    ]


def create_orders(backend: Backend, rows: int = 2000, name: str = "orders") -> list[dict[str, Any]]:
    data = make_rows(0, rows)
    backend.create_table(name, COLUMNS, data)
    return data


def dataset_for(backend: Backend, name: str = "orders", **extra: Any) -> DatasetConfig:
    return DatasetConfig.model_validate({"table": backend.qualified(name), **extra})
