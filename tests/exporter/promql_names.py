"""Metric and label names used by a PromQL expression, found with a small tokenizer.

Not a full PromQL parser: it knows enough of the grammar (selectors, grouping clauses,
label_replace/label_join, functions, keywords) to name every metric and label an expression
reads or writes, which is what the catalogue check needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = {
    "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "and", "or", "unless", "by", "without", "on", "ignoring",
    "group_left", "group_right", "bool", "offset", "atan2", "inf", "nan",
}
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg_over_time", "ceil", "changes", "clamp",
    "clamp_max", "clamp_min", "count_over_time", "day_of_month", "day_of_week", "day_of_year",
    "days_in_month", "delta", "deriv", "exp", "floor", "histogram_quantile", "holt_winters",
    "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
    "ln", "log10", "log2", "max_over_time", "min_over_time", "minute", "month",
    "predict_linear", "present_over_time", "quantile_over_time", "rate", "resets", "round",
    "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
    "sum_over_time", "time", "timestamp", "vector", "year", "label_values",
}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`'  # strings
    r"|\[[^\]]*\]"  # range / subquery durations
    r"|[A-Za-z_:][A-Za-z0-9_:]*"  # identifiers
    r"|=~|!~|!=|==|<=|>=|[-+*/%^(){},=<>]"
    r"|\$\w+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\S"
)


@dataclass
class Names:
    metrics: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    written_labels: set[str] = field(default_factory=set)  # label_replace / label_join targets


def _unquote(token: str) -> str:
    return token[1:-1]


def names(expr: str) -> Names:
    """Every metric and label name in ``expr``."""
    tokens = [t for t in TOKEN.findall(expr) if not t.isspace()]
    found = Names()
    depth_in_braces = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == "{":
            depth_in_braces += 1
        elif tok == "}":
            depth_in_braces -= 1
        elif depth_in_braces and re.fullmatch(r"[A-Za-z_]\w*", tok) and nxt in {
            "=", "!=", "=~", "!~"
        }:
            found.labels.add(tok)
        elif tok in LABEL_LIST_KEYWORDS and nxt == "(":
            j = i + 2
            while j < len(tokens) and tokens[j] != ")":
                if tokens[j] != ",":
                    found.labels.add(tokens[j])
                j += 1
            i = j
        elif tok in {"label_replace", "label_join"} and nxt == "(":
            # label_replace(v, "dst", "replacement", "src", "regex")
            # label_join(v, "dst", "separator", "src1", "src2", ...)
            strings = _call_strings(tokens, i + 1)
            if strings:
                found.written_labels.add(strings[0])
                sources = strings[2:3] if tok == "label_replace" else strings[2:]
                found.labels.update(s for s in sources if s)
        elif (
            re.fullmatch(r"[A-Za-z_:][A-Za-z0-9_:]*", tok)
            and not depth_in_braces
            and tok not in KEYWORDS
            and not (tok in FUNCTIONS and nxt == "(")
        ):
            found.metrics.add(tok)
        i += 1
    return found


def _call_strings(tokens: list[str], open_index: int) -> list[str]:
    """The string arguments at the top level of the call whose "(" is at ``open_index``."""
    depth = 0
    strings: list[str] = []
    for tok in tokens[open_index:]:
        if tok in {"(", "{"}:
            depth += 1
        elif tok in {")", "}"}:
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and tok[:1] in {'"', "'"}:
            strings.append(_unquote(tok))
    return strings


def label_matcher_names(matchers: list[str]) -> set[str]:
    """Label names of Alertmanager matchers such as 'severity="critical"'."""
    return {re.split(r"=~|!~|!=|=", m, maxsplit=1)[0].strip() for m in matchers}
