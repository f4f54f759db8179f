"""Splitting a written table name (``schema.table``) into its schema and table.

A part that starts with a double quote is an SQL quoted identifier: ``"Sales EU"."Orders"``
names the schema ``Sales EU`` and the table ``Orders``; a dot inside quotes belongs to the name
and a doubled quote (``""``) is one quote character. Other parts are taken as written, a quote
inside one included. Either way the name reaches SQLAlchemy as plain text, which quotes it again
where the dialect needs it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

HOW_TO_WRITE = ('write schema.table, double-quoting a part that holds a dot or a quote '
                '("Sales EU"."Orders", a quote inside as "")')


class TableNameError(ValueError):
    """A table name that cannot be split; the message says what is wrong."""


def split_table_name(text: str) -> tuple[str | None, str]:
    """(schema, table) of ``text``; schema None when it names no schema. Everything before the
    last dot outside quotes is the schema (``a.b.c``: schema ``a.b``). Raises TableNameError
    for an unclosed quote, text right after a closing quote or an empty part."""
    parts: list[str] = []
    current: list[str] = []
    quoted = closed = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"' and text[index + 1:index + 2] == '"':
                current.append('"')
                index += 1
            elif char == '"':
                quoted, closed = False, True
            else:
                current.append(char)
        elif char == ".":
            parts.append(_part(current, text))
            current, closed = [], False
        elif closed:
            raise TableNameError(f"{text!r} has {char!r} right after a closing quote; "
                                 f"{HOW_TO_WRITE}")
        elif char == '"' and not current:
            quoted = True
        else:  # a quote after the start of an unquoted part is a character of the name
            current.append(char)
        index += 1
    if quoted:
        raise TableNameError(f"{text!r} opens a quote it never closes; {HOW_TO_WRITE}")
    parts.append(_part(current, text))
    return (".".join(parts[:-1]) if len(parts) > 1 else None), parts[-1]


def _part(characters: list[str], text: str) -> str:
    if not characters:
        raise TableNameError(f"{text!r} has an empty name part; {HOW_TO_WRITE}")
    return "".join(characters)


def checked_table_name(text: str) -> str:
    """``text`` when ``split_table_name`` can split it; a TableNameError (a ValueError, so a
    pydantic validation error) says what is wrong and how to write it."""
    split_table_name(text)
    return text


TableName = Annotated[str, AfterValidator(checked_table_name)]
"""A ``schema.table`` field of a config or rule file, checked when it is loaded."""
