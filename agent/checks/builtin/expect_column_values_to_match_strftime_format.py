"""expect_column_values_to_match_strftime_format: non-null values match ``strftime_format`` (own query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from agent.checks.builtin.ge_base import GEMapSpec, GEPythonMapCheck


class ExpectStrftimeSpec(GEMapSpec):
    type: Literal["expect_column_values_to_match_strftime_format"]
    strftime_format: str


class ExpectStrftime(GEPythonMapCheck[ExpectStrftimeSpec]):
    spec_model = ExpectStrftimeSpec

    def is_expected(self, value: Any) -> bool:
        try:
            datetime.strptime(str(value), self.spec.strftime_format)
        except ValueError:
            return False
        return True
