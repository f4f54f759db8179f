"""One pass for the uniqueness proofs of a dataset's columns stored in order (PostgreSQL).

Each uniqueness or distinct count of a column stored in order carries a proof that reads the
table once (``agent.checks.grouped``). With two such columns in a dataset (an id and an order
reference), those are two scans where one does: the standalone subqueries holding a proof move
into one statement whose proofs come from a shared pass (``grouped.shared_ascending_proofs``).
A column holding a NULL keeps its own pass, run only then; every count stays what it was. The
shared statement succeeds or fails as one: an error in it (a statement timeout, say) is the
error of every check reading one of its values.

Only columns the planner statistics say are stored in order share the pass: for any other
column the proof never runs (the subquery groups by hashing), and its subquery is better left a
statement of its own, running beside the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import ExternallyTraversible, iterate, replacement_traverse

from agent.checks.grouped import proof_column, shared_ascending_proofs
from agent.checks.planner import DatasetPlan
from agent.checks.value_counts import ColumnStats, GroupedStatement


def _proved_columns(expression: ExternallyTraversible) -> set[str]:
    return {column for element in iterate(expression)
            if (column := proof_column(element)) is not None}


def _holding_proofs(plan: DatasetPlan) -> dict[str, set[str]]:
    """Standalone subquery key -> the columns its proofs are over (subqueries with a proof)."""
    return {key: columns for key, expression in plan.subqueries.items()
            if (columns := _proved_columns(expression))}


def proof_sharing_columns(plan: DatasetPlan) -> list[str]:
    """The columns whose statistics decide whether proofs share a pass: none unless two or more
    subqueries hold a proof."""
    holding = _holding_proofs(plan)
    return sorted(set().union(*holding.values())) if len(holding) >= 2 else []


def share_ascending_proofs(plan: DatasetPlan, stats: Mapping[str, ColumnStats]) -> list[str]:
    """Move the standalone subqueries of ``plan`` whose proofs are all over columns ``stats``
    finds stored in order into one grouped statement sharing a single pass, when there are two
    or more of them; the keys moved."""
    holding = {key: columns for key, columns in _holding_proofs(plan).items()
               if all(column in stats and stats[column].stored_in_order for column in columns)}
    if len(holding) < 2:
        return []
    prove = shared_ascending_proofs(plan.context, sorted(set().union(*holding.values())))

    def shared_first(element: ExternallyTraversible, **_kw: Any) -> ExternallyTraversible | None:
        column = proof_column(element)
        return None if column is None else prove(column, cast(ColumnElement[Any], element))

    keys = list(holding)
    expressions = [replacement_traverse(plan.subqueries.pop(key), {}, shared_first)
                   for key in keys]
    statement = sa.select(*(expression.label(f"v{index}")
                            for index, expression in enumerate(expressions)))
    plan.grouped_statements.append(GroupedStatement(keys=keys, statement=statement))
    return keys
