"""Comparing dq-agent's result with a case's expected ``out`` the way Great Expectations' own
test harness does: sorted unexpected lists, floats with its tolerances, exact_match_out fields."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tests.conformance.cases import Case
from tests.conformance.execute import Observed

RTOL = 1.0e-7
ATOL = 5.0e-2
_FLOAT = re.compile(r".*\d\.\d+.*")
# result fields this comparison knows how to read from an Outcome
_RESULT_FIELDS = {
    "observed_value", "element_count", "missing_count", "missing_percent", "unexpected_count",
    "unexpected_percent", "unexpected_percent_total", "unexpected_percent_nonmissing",
    "partial_unexpected_list", "unexpected_list", "details",
}
_IGNORED = {"unexpected_index_list", "unexpected_index_query", "partial_unexpected_index_list",
            "partial_unexpected_counts"}


def normalise(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {str(key): normalise(item) for key, item in value.items()}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def sort_key(value: Any) -> str:
    return json.dumps(normalise(value), sort_keys=True, default=str)


def close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(close(x, y, rtol, atol) for x, y in zip(a, b, strict=True))
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return bool(a == b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) <= atol + rtol * abs(y)


def result_fields(observed: Observed) -> dict[str, Any]:
    assert observed.result is not None
    outcome = observed.result.outcome
    details = outcome.details
    fields: dict[str, Any] = {
        "observed_value": details.get("ge_observed_value", outcome.observed_value),
        "element_count": outcome.element_count,
        "missing_count": outcome.missing_count,
        "unexpected_count": outcome.unexpected_count,
    }
    if outcome.unexpected_ratio is not None:
        fields["unexpected_percent"] = outcome.unexpected_ratio * 100.0
        fields["unexpected_percent_nonmissing"] = outcome.unexpected_ratio * 100.0
    for key in ("missing_percent", "unexpected_percent_total", "partial_unexpected_list",
                "unexpected_list", "details"):
        if key in details:
            fields[key] = details[key]
    return fields


def mismatch(case: Case, observed: Observed) -> str | None:
    """None when dq-agent agrees with the case, else what differs."""
    if case.expects_error:
        return None if observed.errored else "expected an error, got a result"
    if observed.errored:
        return f"error: {observed.error or (observed.result and observed.result.outcome.message)}"
    assert observed.result is not None
    fields = result_fields(observed)
    expected = dict(case.out)
    nested = expected.pop("result", None)
    if isinstance(nested, dict):
        expected.update(nested)
    success = observed.result.outcome.success
    problems: list[str] = []
    for key, value in expected.items():
        if key in _IGNORED:
            continue
        if key == "success":
            if success != value:
                problems.append(f"success {success} != {value}")
        elif key == "observed_value_list":
            if fields["observed_value"] not in value:
                problems.append(f"observed_value {fields['observed_value']!r} not in {value}")
        elif key in ("unexpected_list", "partial_unexpected_list"):
            got = fields.get(key)
            if got is None:
                problems.append(f"no {key}")
            elif sorted(got, key=sort_key) != sorted(value, key=sort_key) and not close(
                sorted(normalise(got), key=sort_key), sorted(normalise(value), key=sort_key), 0, 0
            ):
                problems.append(f"{key} {got!r} != {value!r}")
        elif key == "observed_value":
            problems.extend(_observed_problems(case, fields.get("observed_value"), value))
        elif key in ("observed_partition", "expected_partition"):
            problems.extend(_partition_problems(key, fields.get("details"), value))
        elif key.startswith("observed_cdf_"):
            problems.extend(_cdf_problems(key, fields.get("details"), value))
        elif key == "value_counts":
            counts = (fields.get("details") or {}).get("value_counts")
            missing = [count for count in value if counts is None or count not in counts]
            if missing:
                problems.append(f"value_counts {counts!r} lack {missing!r}")
        elif key in _RESULT_FIELDS:
            got = fields.get(key)
            if not (got == value or (got is not None and value is not None and close(got, value))):
                problems.append(f"{key} {got!r} != {value!r}")
        else:
            problems.append(f"{key} is not produced")
    return "; ".join(problems) or None


def _observed_problems(case: Case, got: Any, value: Any) -> list[str]:
    if case.tolerance is not None:
        if isinstance(value, dict):
            ok = isinstance(got, dict) and set(got) == set(value) and all(
                close(got[k], v, case.tolerance, 0.0) for k, v in value.items())
        else:
            ok = got is not None and close(got, value, case.tolerance, 0.0)
    elif isinstance(value, dict) and "values" in value:
        ok = isinstance(got, dict) and close(got.get("values"), value["values"])
    elif _FLOAT.match(repr(value)):
        ok = got is not None and close(got, value)
    else:
        ok = got == value
    return [] if ok else [f"observed_value {got!r} != {value!r}"]


def _partition_problems(key: str, details: Any, value: dict[str, Any]) -> list[str]:
    """Great Expectations' harness: bins and weights close, tail_weights close where reported."""
    got = (details or {}).get(key) if isinstance(details, dict) else None
    if not isinstance(got, dict):
        return [f"no {key} in details"]
    names = ["bins", "weights"] + (["tail_weights"] if "tail_weights" in got else [])
    return [f"{key}.{name} {got.get(name)!r} != {value.get(name)!r}" for name in names
            if not _allclose(got.get(name), value.get(name))]


def _cdf_problems(key: str, details: Any, value: Any) -> list[str]:
    """observed_cdf_x_0_lt / _x_0_eq / _x_-1_gt / _x_-1_eq: the observed CDF's first or last x
    compared with ``value``, as Great Expectations' harness reads these keys."""
    cdf = (details or {}).get("observed_cdf") if isinstance(details, dict) else None
    if not isinstance(cdf, dict) or not cdf.get("x"):
        return ["no observed_cdf in details"]
    x = cdf["x"][-1] if "x_-1" in key else cdf["x"][0]
    ok = {"lt": x < value, "gt": x > value, "eq": x == value}[key.rsplit("_", 1)[-1]]
    return [] if ok else [f"{key}: observed_cdf x {x!r} vs {value!r}"]


def _allclose(got: Any, want: Any) -> bool:
    """numpy.allclose's default tolerances (rtol 1e-5, atol 1e-8), element by element."""
    if not isinstance(got, list) or not isinstance(want, list) or len(got) != len(want):
        return False
    return all(math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-8 + 1e-5 * abs(float(b)))
               or float(a) == float(b) for a, b in zip(got, want, strict=True))
