"""Time templates in rule files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.rules.templates import TemplateError, parse_span, render_value

NOW = datetime(2025, 2, 5, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("{{ now }}", "2025-02-05T10:00:00Z"),
    ("{{ today }}", "2025-02-05T00:00:00Z"),
    ("{{ now - 1 hour }}", "2025-02-05T09:00:00Z"),
    ("{{now-30 minutes}}", "2025-02-05T09:30:00Z"),
    ("{{ now - 2 weeks }}", "2025-01-22T10:00:00Z"),
    ("{{ now + 45 s }}", "2025-02-05T10:00:45Z"),
    ("{{ today - 1 day }}", "2025-02-04T00:00:00Z"),
    ("after {{ now - 1 hour }}", "after 2025-02-05T09:00:00Z"),
])
def test_templates(text: str, expected: str) -> None:
    assert render_value(text, NOW) == expected


def test_nested_values_and_ge_parameters() -> None:
    value = {"a": ["{{ now }}", 3], "b": {"$PARAMETER": "now() - timedelta(weeks=52*2)"}}
    assert render_value(value, NOW) == {"a": ["2025-02-05T10:00:00Z", 3],
                                        "b": "2023-02-08T10:00:00Z"}


@pytest.mark.parametrize("text", ["{{ yesterday }}", "{{ now - 1 fortnight }}", "{{ now * 2 }}"])
def test_unknown_templates_are_errors(text: str) -> None:
    with pytest.raises(TemplateError):
        render_value(text, NOW)


def test_spans() -> None:
    assert parse_span("1 hour") == 3600
    assert parse_span("30 minutes") == 1800
    with pytest.raises(TemplateError):
        parse_span("soon")
