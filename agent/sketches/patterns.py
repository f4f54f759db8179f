"""Character-class shapes of strings ("Ab12-x" -> "Aa99-a") and e-mail domains.

Shapes are computed on a fixed-width NumPy unicode array viewed as code points, with one table
lookup for ASCII and a per-distinct-character classification for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SHAPE_WIDTH = 32
TRUNCATED = "…"
_EMAIL = re.compile(r"[^@\s]+@([^@\s]+\.[^@\s.]+)")


def _ascii_table() -> np.ndarray:
    table = np.arange(128, dtype=np.uint32)
    table[ord("A") : ord("Z") + 1] = ord("A")
    table[ord("a") : ord("z") + 1] = ord("a")
    table[ord("0") : ord("9") + 1] = ord("9")
    return table


_ASCII = _ascii_table()


def _class_of(code: int) -> int:
    char = chr(code)
    if char.isdigit():
        return ord("9")
    if char.isupper():
        return ord("A")
    if char.isalpha():
        return ord("a")
    return code


def shapes(values: Sequence[str], lengths: np.ndarray | None = None) -> np.ndarray:
    """Shape of each string: upper-case -> "A", other letters -> "a", digits -> "9", anything
    else kept. Shapes are cut at ``SHAPE_WIDTH`` characters and then end in "…"."""
    if len(values) == 0:
        return np.array([], dtype=f"<U{SHAPE_WIDTH + 1}")
    fixed = np.array(values, dtype=f"<U{SHAPE_WIDTH}")
    codes = fixed.view(np.uint32).reshape(len(fixed), SHAPE_WIDTH).copy()
    ascii_mask = codes < 128
    codes[ascii_mask] = _ASCII[codes[ascii_mask]]
    if not ascii_mask.all():
        others = codes[~ascii_mask]
        distinct, inverse = np.unique(others, return_inverse=True)
        mapped = np.array([_class_of(int(c)) for c in distinct], dtype=np.uint32)
        codes[~ascii_mask] = mapped[inverse]
    result = codes.view(f"<U{SHAPE_WIDTH}").reshape(len(fixed)).astype(f"<U{SHAPE_WIDTH + 1}")
    if lengths is None:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    long = lengths > SHAPE_WIDTH
    if long.any():
        result[long] = np.strings.add(result[long], TRUNCATED)
    return result


def email_domain(value: str) -> str | None:
    """Lower-cased domain of an e-mail-like value (local@domain.tld, no spaces), else None."""
    if "@" not in value:
        return None
    match = _EMAIL.fullmatch(value)
    return match.group(1).lower() if match else None


def email_domains(values: Sequence[str]) -> list[str]:
    """Domains of the e-mail-like values among ``values``."""
    return [d for d in map(email_domain, values) if d is not None]
