"""expect_column_values_to_be_json_parseable: non-null values parse as JSON (own query)."""

from __future__ import annotations

import json
from typing import Any, Literal

from agent.checks.builtin.ge_base import GEMapSpec, GEPythonMapCheck


class ExpectJsonParseableSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_json_parseable"]


class ExpectJsonParseable(GEPythonMapCheck[ExpectJsonParseableSpec]):
    spec_model = ExpectJsonParseableSpec

    def is_expected(self, value: Any) -> bool:
        try:
            json.loads(value)
        except (TypeError, ValueError):
            return False
        return True
