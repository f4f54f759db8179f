"""Time templates in rule files: ``{{ now }}``, ``{{ today }}``, ``{{ now - 1 hour }}``.

A value that is only a template becomes an ISO 8601 timestamp (UTC); templates inside a longer
string are replaced in place. Units run from seconds to weeks, singular or plural, or short
(s, m, h, d, w). Great Expectations' ``{"$PARAMETER": "now() - timedelta(weeks=52)"}`` form is
read too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_UNITS: dict[str, float] = {
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
}
_SHORT = {"s": "second", "sec": "second", "m": "minute", "min": "minute", "h": "hour",
          "d": "day", "w": "week"}
_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_EXPRESSION = re.compile(
    r"^(now|today)(?:\s*([+-])\s*(\d+(?:\.\d+)?)\s*([a-z]+))?$", re.IGNORECASE
)
_GE_PARAMETER = re.compile(
    r"^now\(\)\s*(?:([+-])\s*timedelta\(\s*(\w+)\s*=\s*(\d+(?:\.\d+)?(?:\s*\*\s*\d+(?:\.\d+)?)*)\s*\))?$"
)


class TemplateError(ValueError):
    """A template that cannot be read; the message says what is accepted."""


def unit_seconds(unit: str) -> float:
    name = unit.lower()
    name = _SHORT.get(name, name.removesuffix("s"))
    if name not in _UNITS:
        raise TemplateError(
            f"unknown time unit {unit!r}; use seconds, minutes, hours, days or weeks"
        )
    return _UNITS[name]


def parse_span(text: str) -> float:
    """Seconds in ``"1 hour"``, ``"30 minutes"``, ``"2d"``."""
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$", text)
    if not match:
        raise TemplateError(f"{text!r} is not a time span; write e.g. '1 hour' or '30 minutes'")
    return float(match.group(1)) * unit_seconds(match.group(2))


def evaluate(expression: str, now: datetime) -> datetime:
    """The timestamp of one template expression (the text between the braces)."""
    match = _EXPRESSION.match(expression.strip())
    if not match:
        raise TemplateError(
            f"unknown template {{{{ {expression} }}}}; use {{{{ now }}}}, {{{{ today }}}} or "
            "{{ now - N unit }} with a unit from seconds to weeks"
        )
    base_name, sign, amount, unit = match.groups()
    base = now if base_name.lower() == "now" else now.replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    if sign is None:
        return base
    delta = timedelta(seconds=float(amount) * unit_seconds(unit))
    return base - delta if sign == "-" else base + delta


def render_value(value: Any, now: datetime) -> Any:
    """``value`` with every template replaced (recursing into lists and mappings)."""
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value.strip())
        if whole:
            return iso(evaluate(whole.group(1), now))
        return _TEMPLATE.sub(lambda m: iso(evaluate(m.group(1), now)), value)
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"} and isinstance(value["$PARAMETER"], str):
            return iso(ge_parameter(value["$PARAMETER"], now))
        return {key: render_value(item, now) for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, now) for item in value]
    return value


def ge_parameter(text: str, now: datetime) -> datetime:
    match = _GE_PARAMETER.match(text.strip())
    if not match:
        raise TemplateError(
            f"unsupported $PARAMETER {text!r}; only now() and now() +/- timedelta(unit=N)"
        )
    sign, unit, amount = match.groups()
    if sign is None:
        return now
    product = 1.0
    for factor in amount.split("*"):
        product *= float(factor)
    try:
        delta = timedelta(**{unit: product})
    except TypeError:
        raise TemplateError(f"unknown timedelta unit {unit!r} in $PARAMETER {text!r}") from None
    return now - delta if sign == "-" else now + delta


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, to the second when there are no fractions."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = moment.isoformat(timespec="seconds" if not moment.microsecond else "microseconds")
    return text.replace("+00:00", "Z")


def now_utc() -> datetime:
    return datetime.now(UTC)
