"""Fixed-shape regular expressions as LIKE and character-set tests (PostgreSQL).

PostgreSQL's regular-expression engine costs about a microsecond a row: it builds the pattern's
automaton state by state for every value. A pattern that anchors a fixed-length shape between
``^`` and ``$``, made of literal characters, bracket classes of ASCII characters and ranges, and
exact repetitions ``{n}`` (``^ORD-[0-9]{8}$``, ``^[A-Z]{2}$``, ``^SKU-[A-Z]{3}-[0-9]{4}$``), says
exactly what these cheaper tests say together:

- the value is ``LIKE`` its literal characters with one ``_`` per class position, which also
  fixes its length (``LIKE`` counts characters, as the regex does);
- when there are class positions: the value has as many bytes as characters, so every character
  is a single byte and byte positions are character positions (a value matching the pattern is
  ASCII, as the pattern is);
- every run of positions of one class holds only that class's bytes: ``btrim`` of the run's
  bytes (``substring`` of the value's bytes as stored) by the class's bytes leaves nothing.
  Trimming bytes costs a fraction of trimming text, where PostgreSQL decodes both strings
  character by character on every row. The bytes are the value cast to ``bytea`` when it holds
  no backslash (the cast reads a backslash as an escape), else ``convert_to(value,
  'SQL_ASCII')``, which copies any value but costs several times as much.

A NULL value makes both NULL, as the regex is. Anything else (alternation, ``.``, optional or
open repetition, escapes such as ``\\d``, negated or named classes, non-ASCII characters in the
pattern) stays a regular expression.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

MAX_REPEAT = 1000
"""The largest ``{n}`` rewritten (PostgreSQL's own limit on a bound is 255)."""
_SPECIAL = set(".[]{}()*+?|^$\\")
_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c")
_RANGE_KINDS = (set(string.digits), set(string.ascii_uppercase), set(string.ascii_lowercase))


@dataclass(frozen=True)
class _Run:
    """Positions ``start`` .. ``start + length - 1`` (1-based) hold characters of ``chars``."""

    start: int
    length: int
    chars: str


@dataclass(frozen=True)
class FixedShape:
    """A pattern's ``LIKE`` string and its class runs."""

    like: str
    runs: tuple[_Run, ...]
    length: int  # characters of a matching value

    def condition(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        # PostgreSQL's LIKE escapes with a backslash by default
        tests: list[ColumnElement[bool]] = [value.like(self.like)]
        if self.runs:
            tests.append(sa.func.octet_length(value) == self.length)
            # a cast to bytea copies the bytes of a value without a backslash as they are (it
            # reads a backslash as an escape); convert_to copies any value, at several times
            # the cost; CASE runs only the branch it takes
            tests.append(sa.case(
                (sa.func.strpos(value, "\\") == 0, self._runs_hold(sa.cast(value, sa.LargeBinary))),
                else_=self._runs_hold(sa.func.convert_to(value, "SQL_ASCII")),
            ))
        return sa.and_(*tests)

    def _runs_hold(self, stored: ColumnElement[Any]) -> ColumnElement[bool]:
        """Every class run of the value's bytes ``stored`` holds only its class's bytes."""
        return sa.and_(*(
            sa.func.octet_length(sa.func.btrim(
                sa.func.substring(stored, run.start, run.length),
                sa.func.decode(run.chars.encode("ascii").hex(), "hex"),
            )) == 0
            for run in self.runs
        ))


def fixed_shape(pattern: str) -> FixedShape | None:
    """The shape of ``pattern`` when it is a fixed-shape anchored pattern, else None."""
    if len(pattern) < 2 or pattern[0] != "^" or pattern[-1] != "$" or pattern.endswith("\\$"):
        return None
    positions = _positions(pattern[1:-1])
    if positions is None:
        return None
    like: list[str] = []
    runs: list[_Run] = []
    for index, position in enumerate(positions, start=1):
        if isinstance(position, str):
            like.append("\\" + position if position in "%_\\" else position)
            continue
        like.append("_")
        chars = "".join(sorted(position))
        last = runs[-1] if runs else None
        if last is not None and last.chars == chars and last.start + last.length == index:
            runs[-1] = _Run(last.start, last.length + 1, chars)
        else:
            runs.append(_Run(index, 1, chars))
    return FixedShape("".join(like), tuple(runs), len(positions))


def _positions(body: str) -> list[str | frozenset[str]] | None:
    """One entry per character position: a literal character or a class's characters."""
    positions: list[str | frozenset[str]] = []
    index = 0
    while index < len(body):
        char = body[index]
        atom: str | frozenset[str] | None
        if char == "\\":
            escaped = body[index + 1] if index + 1 < len(body) else ""
            if escaped not in _PRINTABLE or escaped.isalnum() or escaped.isspace():
                return None
            atom, index = escaped, index + 2
        elif char == "[":
            end = body.find("]", index + 1)
            atom = _bracket(body[index + 1:end]) if end > index + 1 else None
            index = end + 1
        elif char in _SPECIAL or char not in _PRINTABLE:
            return None
        else:
            atom, index = char, index + 1
        if atom is None:
            return None
        repeat = 1
        if index < len(body) and body[index] == "{":
            end = body.find("}", index)
            count = body[index + 1:end] if end > index else ""
            if not count.isdigit() or not 0 < int(count) <= MAX_REPEAT:
                return None
            repeat, index = int(count), end + 1
        positions.extend([atom] * repeat)
    return positions


def _bracket(inside: str) -> frozenset[str] | None:
    """The characters of a bracket class's inside, for plain characters and ASCII ranges."""
    if not inside or inside[0] == "^" or any(c in "[\\" or c not in _PRINTABLE for c in inside):
        return None
    chars: set[str] = set()
    index = 0
    while index < len(inside):
        if index + 2 < len(inside) and inside[index + 1] == "-":
            low, high = inside[index], inside[index + 2]
            if not any(low in kind and high in kind for kind in _RANGE_KINDS) or low > high:
                return None
            chars.update(chr(code) for code in range(ord(low), ord(high) + 1))
            index += 3
        else:
            chars.add(inside[index])
            index += 1
    return frozenset(chars)
