"""schema_contract on every backend: missing columns and wrong logical types fail, by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from agent.checks.builtin.schema_contract import SchemaContractSpec, matches
from agent.checks.results import Status
from tests.agent.checks.builtin.support import run_checks
from tests.support.backends import Backend

COLUMNS = {
    "id": sa.Integer(), "name": sa.String(20), "amount": sa.Numeric(10, 2),
    "created_at": sa.DateTime(), "day": sa.Date(),
}


async def test_missing_columns_and_wrong_types_are_named(backend: Backend, tmp_path: Path) -> None:
    checks = [
        {"type": "schema_contract", "name": "good", "columns": {
            "id": "integer", "name": "string", "amount": "decimal", "created_at": "timestamp",
            "day": "date"}},
        {"type": "schema_contract", "name": "loose", "columns": {"id": "number", "name": None}},
        {"type": "schema_contract", "name": "bad", "columns": {
            "id": "string", "name": "string", "email": "string", "day": None}},
    ]
    ran = await run_checks(backend, tmp_path, checks, columns=COLUMNS, rows=[])
    assert ran["good"].status == Status.PASS, ran["good"].outcome.message
    assert ran["loose"].status == Status.PASS
    bad = ran["bad"]
    assert bad.status == Status.FAIL
    assert bad.outcome.observed_value == 2
    assert bad.outcome.details["missing"] == ["email"]
    assert set(bad.outcome.details["wrong_types"]) == {"id"}
    assert bad.outcome.message is not None
    assert bad.outcome.message.startswith("missing columns ['email']; wrong types id is ")


def test_type_names_and_unknown_types() -> None:
    assert matches("CHARACTER VARYING(20)", "string") and matches("BIGINT", "integer")
    assert matches("DECIMAL(10,2)", "number") and not matches("VARCHAR", "number")
    assert matches("TIMESTAMP WITH TIME ZONE", "timestamp") and not matches("DATE", "timestamp")
    spec = SchemaContractSpec.model_validate(
        {"type": "schema_contract", "columns": {"a": "datetime", "b": "INT"}})
    assert spec.columns == {"a": "timestamp", "b": "integer"}
    with pytest.raises(ValidationError, match="unknown type 'strng'; use one of binary, boolean"):
        SchemaContractSpec.model_validate({"type": "schema_contract", "columns": {"a": "strng"}})
