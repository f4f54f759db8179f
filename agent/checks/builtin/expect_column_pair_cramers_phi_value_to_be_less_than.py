"""expect_column_pair_cramers_phi_value_to_be_less_than: the association between two columns,
Cramér's phi of their contingency table, is at most ``threshold`` (0.1 unless given).

One GROUP BY column_A, column_B counts every pair of values (its own statement); each column's
values are binned into categories (:mod:`agent.checks.builtin.contingency`: ``bins_A`` /
``bins_B`` or ``n_bins_A`` / ``n_bins_B``, NULL as "(missing)"), and phi is
sqrt(chi2 / rows / (min(categories of A, categories of B) - 1)), chi2 from
scipy.stats.chi2_contingency with its default continuity correction, as Great Expectations
computed it. With a single category on either side phi is undefined: the check fails.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.contingency import binner, bins_kind
from agent.checks.builtin.ge_base import GEQueryCheck, GESpec, filtered, plain, value_order
from agent.checks.results import Outcome


class ExpectCramersPhiSpec(GESpec):
    type: Literal["expect_column_pair_cramers_phi_value_to_be_less_than"]
    column_A: str = Field(min_length=1)
    column_B: str = Field(min_length=1)
    bins_A: list[Any] | None = None
    bins_B: list[Any] | None = None
    n_bins_A: int | None = Field(default=None, ge=1)
    n_bins_B: int | None = Field(default=None, ge=1)
    threshold: float = Field(default=0.1, ge=0)

    @model_validator(mode="after")
    def _usable_bins(self) -> ExpectCramersPhiSpec:
        bins_kind(self.bins_A, "bins_A")
        bins_kind(self.bins_B, "bins_B")
        return self


class ExpectCramersPhi(GEQueryCheck[ExpectCramersPhiSpec]):
    spec_model = ExpectCramersPhiSpec
    default_dimension = "consistency"

    def columns(self) -> set[str]:
        return {self.spec.column_A, self.spec.column_B}

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        spec = self.spec
        pairs = pair_counts(connection, ctx, spec.column_A, spec.column_B, where)
        try:
            bin_a, labels_a = binner(_marginal(pairs, 0), spec.bins_A, spec.n_bins_A, "bins_A")
            bin_b, labels_b = binner(_marginal(pairs, 1), spec.bins_B, spec.n_bins_B, "bins_B")
        except ValueError as exc:
            return Outcome.failed_with_error(str(exc))
        table: Counter[tuple[Hashable, Hashable]] = Counter()
        for (a, b), n in pairs.items():
            table[(bin_a(a), bin_b(b))] += n
        rows_a = _ordered({a for a, _ in table}, labels_a)
        cols_b = _ordered({b for _, b in table}, labels_b)
        counts = np.array([[table[(a, b)] for b in cols_b] for a in rows_a], dtype=np.int64)
        total = int(counts.sum())
        crosstab = {"rows": [str(a) for a in rows_a], "columns": [str(b) for b in cols_b],
                    "counts": counts.tolist()}
        details = {"details": {"crosstab": crosstab}}
        if min(counts.shape, default=0) < 2:
            return Outcome(
                success=False, expected_max=spec.threshold, element_count=total,
                message=f"Cramér's phi is undefined: {spec.column_A} and {spec.column_B} need "
                        f"two categories each, found {len(rows_a)} and {len(cols_b)}",
                details=details)
        from scipy.stats import chi2_contingency  # SciPy is imported on use: it takes a second to import
        chi2 = float(chi2_contingency(counts).statistic)
        phi = max(min(math.sqrt(chi2 / total / (min(counts.shape) - 1)), 1.0), 0.0)
        success = phi <= spec.threshold
        return Outcome(
            success=success, observed_value=phi, expected_max=spec.threshold,
            element_count=total, details=details,
            message=None if success else f"Cramér's phi {phi:.4g} exceeds {spec.threshold}",
        )


def pair_counts(
    connection: Connection, ctx: QueryContext, column_a: str, column_b: str, where: str | None,
) -> dict[tuple[Any, Any], int]:
    """The number of rows of each (a, b) pair of values, NULLs included (one GROUP BY)."""
    a, b = ctx.col(column_a), ctx.col(column_b)
    statement = filtered(
        sa.select(a, b, sa.func.count().label("n")).select_from(ctx.table).group_by(a, b), where)
    counts: dict[tuple[Any, Any], int] = {}
    for value_a, value_b, n in connection.execute(statement):
        key = (plain(value_a), plain(value_b))
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def _marginal(pairs: dict[tuple[Any, Any], int], side: int) -> dict[Any, int]:
    counts: Counter[Any] = Counter()
    for pair, n in pairs.items():
        counts[pair[side]] += n
    return dict(counts)


def _ordered(categories: set[Hashable], labels: list[str]) -> list[Hashable]:
    """Numeric bins in their order, other categories sorted (missing last)."""
    if labels:
        return sorted(categories, key=lambda c: labels.index(c) if c in labels else len(labels))
    return sorted(categories, key=lambda c: (c == "(missing)", value_order(c)))
