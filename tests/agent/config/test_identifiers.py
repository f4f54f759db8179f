"""Table names as written in configs and rule files: schema.table, with SQL double-quoted parts
for names holding dots, quotes, spaces or capitals (other parts as written); a name that cannot
be split is refused with what is wrong and how to write it."""

from __future__ import annotations

import pytest

from agent.config.identifiers import TableNameError, split_table_name


@pytest.mark.parametrize(("written", "parts"), [
    ("orders", (None, "orders")),
    ("sales.orders", ("sales", "orders")),
    ('"Sales EU"."My Orders"', ("Sales EU", "My Orders")),
    ('analytics."Users"', ("analytics", "Users")),
    ('"v1.2".orders', ("v1.2", "orders")),  # a dot inside quotes is part of the name
    ('"a ""quoted"" name"', (None, 'a "quoted" name')),
    ("db.sales.orders", ("db.sales", "orders")),  # everything before the last dot
    ('we"ird; DROP TABLE x --', (None, 'we"ird; DROP TABLE x --')),  # a quote after the start
])
def test_split(written: str, parts: tuple[str | None, str]) -> None:
    assert split_table_name(written) == parts


@pytest.mark.parametrize(("written", "problem"), [
    ('"Sales EU.orders', "opens a quote it never closes"),
    ("sales.", "empty name part"),
    (".orders", "empty name part"),
    ('""', "empty name part"),
    ('"sales"x.orders', "right after a closing quote"),
])
def test_refused_with_the_problem_and_how_to_write_it(written: str, problem: str) -> None:
    with pytest.raises(TableNameError) as caught:
        split_table_name(written)
    assert problem in str(caught.value) and repr(written) in str(caught.value)
    assert '"Sales EU"."Orders"' in str(caught.value)  # the way to write it
