"""expect_column_values_to_be_dateutil_parseable: non-null values parse as dates (own query)."""

from __future__ import annotations

from typing import Any, Literal

from dateutil import parser

from agent.checks.builtin.ge_base import GEMapSpec, GEPythonMapCheck


class ExpectDateutilParseableSpec(GEMapSpec):
    type: Literal["expect_column_values_to_be_dateutil_parseable"]


class ExpectDateutilParseable(GEPythonMapCheck[ExpectDateutilParseableSpec]):
    spec_model = ExpectDateutilParseableSpec

    def is_expected(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            parser.parse(value)
        except (ValueError, OverflowError):
            return False
        return True
