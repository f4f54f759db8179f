"""Suggestions from profiles: which checks, their parameters and confidences."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import yaml

from agent.config.models import DatasetConfig
from agent.profiling.profile import ColumnProfile, Profile
from agent.profiling.suggest import (
    EMAIL_REGEX,
    history_context,
    render_yaml,
    shape_regex,
    suggest,
)


def _column(name: str, kind: str = "integer", **values: object) -> ColumnProfile:
    base: dict[str, object] = dict(
        name=name, type="INTEGER" if kind == "integer" else "VARCHAR", kind=kind, nullable=True,
        count=10_000, null_count=0, null_ratio=0.0, unique_count=10_000,
        unique_count_estimated=False, unique_ratio=1.0, statistics=None, histogram=None,
        top_values=[], value_length=None, pattern_distribution=None,
    )
    base.update(values)
    return ColumnProfile(**base)  # type: ignore[arg-type]


def _profile(*columns: ColumnProfile, sampled: bool = False, at: int = 0) -> Profile:
    return Profile(
        dataset="orders", table="orders",
        profile_timestamp=dt.datetime(2024, 5, 1, tzinfo=dt.UTC) + dt.timedelta(hours=at),
        row_count=10_000, row_count_estimated=sampled, column_count=len(columns), size_bytes=None,
        sample="1% (bernoulli)" if sampled else "all rows", columns=list(columns),
        quality_score=1.0, issues=[],
    )


def _checks(profile: Profile, **kwargs: object) -> dict[tuple[str, str], tuple[dict[str, object], float]]:
    return {(s.check["type"], str(s.check.get("column", ""))): (s.check, s.confidence)
            for s in suggest(profile, **kwargs)}  # type: ignore[arg-type]


def test_key_column_gets_not_null_unique_and_range() -> None:
    ids = _column("id", statistics={"min": 1.0, "max": 10_000.0})
    found = _checks(_profile(ids))
    assert found[("not_null", "id")][1] >= 0.99
    assert ("unique", "id") in found
    check, _ = found[("range", "id")]
    assert check == {"type": "range", "column": "id", "min": 0, "max": 11_000}


def test_nulls_repeats_and_small_value_sets() -> None:
    status = _column(
        "status", kind="string", null_count=100, null_ratio=0.01, unique_count=3,
        unique_ratio=3 / 9900,
        top_values=[{"value": v, "count": 3300, "count_lower_bound": 3300, "share": 1 / 3}
                    for v in ("b", "a", "c")],
        pattern_distribution={"patterns": [{"pattern": "a", "share": 1.0}]},
    )
    found = _checks(_profile(status))
    assert ("not_null", "status") not in found and ("unique", "status") not in found
    check, confidence = found[("accepted_values", "status")]
    assert check["values"] == ["a", "b", "c"] and 0.9 < confidence <= 0.99
    assert ("regex", "status") not in found  # the value set already says more


def test_regex_from_dominant_shapes_and_emails() -> None:
    codes = _column("code", kind="string", unique_count=5000, unique_ratio=0.5,
                    top_values=[{"value": "AB-1", "count": 2, "count_lower_bound": 2, "share": 0.0002}],
                    pattern_distribution={"patterns": [{"pattern": "AA-9999", "share": 0.97},
                                                       {"pattern": "AA-999", "share": 0.03}]})
    assert _checks(_profile(codes))[("regex", "code")][0]["pattern"] == "^[A-Z]{2}\\-[0-9]{4}$"
    mixed = replace(codes, pattern_distribution={"patterns": [
        {"pattern": "AA-9999", "share": 0.6}, {"pattern": "AAA-99", "share": 0.39},
        {"pattern": "a a", "share": 0.01}]})
    assert _checks(_profile(mixed))[("regex", "code")][0]["pattern"] == "^[A-Z]+\\-[0-9]+$"
    emails = replace(codes, name="email",
                     pattern_distribution={"patterns": [], "email_ratio": 0.99, "email_domains": []})
    assert _checks(_profile(emails))[("regex", "email")][0]["pattern"] == EMAIL_REGEX
    assert shape_regex("Aa9") == "^[A-Z][a-z][0-9]$"


def test_sampled_profiles_are_less_confident() -> None:
    ids = _column("id", statistics={"min": 1.0, "max": 10_000.0})
    full = _checks(_profile(ids))[("not_null", "id")][1]
    sampled = _checks(_profile(ids, sampled=True))[("not_null", "id")][1]
    assert sampled < full


def test_freshness_from_update_cadence() -> None:
    profiles = []
    for step in range(5):
        newest = dt.datetime(2024, 5, 1) + dt.timedelta(hours=6 * step)
        created = _column("created", kind="temporal", statistics={
            "min": "2024-01-01T00:00:00", "max": newest.isoformat()})
        profiles.append(_profile(created, at=6 * step))
    found = _checks(profiles[-1], context=history_context(profiles))
    check, confidence = found[("freshness", "created")]
    assert check["max_age"] == "18h" and confidence >= 0.8
    single = _checks(profiles[-1])[("freshness", "created")]
    assert single[1] < confidence
    stale = replace(profiles[-1], profile_timestamp=profiles[-1].profile_timestamp + dt.timedelta(days=3))
    assert ("freshness", "created") not in _checks(stale, context=history_context(profiles))


def test_yaml_is_config_with_confidences() -> None:
    ids = _column("id", statistics={"min": 1.0, "max": 10_000.0})
    profile = _profile(ids)
    text = render_yaml("orders", DatasetConfig(table="orders", warehouse="w"), profile, suggest(profile),
                       min_confidence=0.5)
    assert text.count("# confidence") == len(suggest(profile))
    loaded = yaml.safe_load(text)
    dataset = DatasetConfig.model_validate(loaded["datasets"]["orders"])
    assert dataset.warehouse == "w" and {c.type for c in dataset.check_specs()} == {
        "row_count", "not_null", "unique", "range"}
