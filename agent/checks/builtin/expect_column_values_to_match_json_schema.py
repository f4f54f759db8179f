"""expect_column_values_to_match_json_schema: non-null values are valid against ``json_schema``."""

from __future__ import annotations

import json
from typing import Any, Literal

import jsonschema

from agent.checks.builtin.ge_base import GEMapSpec, GEPythonMapCheck


class ExpectJsonSchemaSpec(GEMapSpec):
    type: Literal["expect_column_values_to_match_json_schema"]
    json_schema: dict[str, Any]


class ExpectJsonSchema(GEPythonMapCheck[ExpectJsonSchemaSpec]):
    spec_model = ExpectJsonSchemaSpec

    def is_expected(self, value: Any) -> bool:
        try:
            jsonschema.validate(json.loads(value), self.spec.json_schema)
        except (TypeError, ValueError, jsonschema.ValidationError):
            return False
        return True
