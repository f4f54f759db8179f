"""Reading what the distributional tests need from a column in one statement: every value (KS
tests) or every value's count (chi-square, categorical KL divergence); defines no check type."""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import filtered, plain


def column_floats(
    connection: Connection, ctx: QueryContext, column: str, where: str | None
) -> tuple[NDArray[np.float64], int]:
    """The non-null values of ``column`` as float64, and the number of rows (with NULLs)."""
    col = ctx.col(column)
    statement = filtered(sa.select(col).select_from(ctx.table), where)
    values = [row[0] for row in connection.execute(statement)]
    present = np.array([float(value) for value in values if value is not None], dtype=np.float64)
    return present, len(values)


def counts_and_nulls(
    connection: Connection, ctx: QueryContext, column: str, where: str | None
) -> tuple[dict[Any, int], int]:
    """The count of each non-null value of ``column``, and the number of NULLs (one GROUP BY)."""
    col = ctx.col(column)
    statement = filtered(
        sa.select(col, sa.func.count().label("n")).select_from(ctx.table).group_by(col), where)
    counts: dict[Any, int] = {}
    nulls = 0
    for value, n in connection.execute(statement):
        if value is None:
            nulls += int(n)
        else:
            counts[plain(value)] = int(n)
    return counts, nulls
