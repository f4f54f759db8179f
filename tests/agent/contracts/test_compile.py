"""Compiling a data contract: one ordinary check per promise; fields the quality section names
must be declared in the schema (the error names file, line and field)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.contracts.compile import ContractError, load_contract_datasets

CONTRACT = Path(__file__).with_name("orders.contract.yaml")


def test_every_promise_becomes_a_check() -> None:
    [dataset] = load_contract_datasets(CONTRACT).values()
    assert dataset.schema_and_table() == ("main", "orders")
    assert (dataset.owner, dataset.team, dataset.tier) == ("sales-data@example.com", "sales", "gold")
    assert dataset.schedule.cron == "*/30 * * * *"
    names = [spec.name or f"{spec.type}_{getattr(spec, 'column', '')}" for spec in dataset.check_specs()]
    assert names == [
        "schema",
        "not_null_order_id", "not_null_customer_id", "not_null_status", "accepted_values_status",
        "not_null_amount", "range_amount", "not_null_email", "not_null_coupon",
        "not_null_line_no", "not_null_created_at",
        "unique_order_id", "unique_order_id_line_no", "freshness_created_at", "daily_volume",
    ]
    by_name = {name: spec.model_dump() for name, spec in zip(names, dataset.check_specs(), strict=True)}
    assert by_name["schema"]["columns"]["amount"] == "decimal"
    assert by_name["schema"]["columns"]["created_at"] == "timestamp"
    assert by_name["not_null_order_id"]["mostly"] == 1.0
    assert by_name["not_null_email"]["mostly"] == pytest.approx(0.8)  # optional: 20% NULLs
    assert by_name["not_null_coupon"]["mostly"] == pytest.approx(0.1)  # its own max_null_rate
    assert by_name["accepted_values_status"]["values"] == [
        "placed", "shipped", "delivered", "cancelled"]
    assert (by_name["range_amount"]["min"], by_name["range_amount"]["max"]) == (0, 10000)
    assert by_name["unique_order_id_line_no"]["column_list"] == ["order_id", "line_no"]
    assert by_name["freshness_created_at"]["max_age"] == 3600.0
    volume = by_name["daily_volume"]
    assert (volume["type"], volume["column"], volume["window"]) == (
        "recent_row_count", "created_at", 86400.0)
    assert (volume["min"], volume["max"]) == (10, 5000)
    assert by_name["schema"]["description"] == "contract orders v1.2.0: schema"
    assert dataset.failing_row_samples.mask == ["email"]  # pii fields are masked


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = CONTRACT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "c.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_undeclared_fields_are_rejected_with_file_line_and_field(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "- [order_id, line_no]", "- [order_id, line_number]")
    with pytest.raises(ContractError) as raised:
        load_contract_datasets(path)
    assert str(raised.value) == (
        f"{path}:47: quality.uniqueness[0][1]: field 'line_number' is not declared in the "
        "contract's schema; declare it under `schema:` or use one of: order_id, customer_id, "
        "status, amount, email, coupon, line_no, created_at"
    )
    path = write_variant(tmp_path, "    column: created_at\n    max_delay", "    column: updated_at\n    max_delay")
    with pytest.raises(ContractError, match=r"c.yaml:41: quality.freshness.column: field "
                       r"'updated_at' is not declared"):
        load_contract_datasets(path)


def test_bad_values_name_the_line_and_key(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "    minimum: 0\n", "    minimum: 20000\n")
    with pytest.raises(ContractError, match=r"c.yaml:\d+: schema\[3\]: Value error, minimum "
                       r"\(20000\) is greater than maximum \(10000\)"):
        load_contract_datasets(path)
    path = write_variant(tmp_path, "    type: decimal\n", "    type: money\n")
    with pytest.raises(ContractError, match=r"unknown type 'money'; use one of binary, boolean"):
        load_contract_datasets(path)
    path = write_variant(tmp_path, "    pii: true\n", "    pii: true\n    personal: yes\n")
    with pytest.raises(ContractError, match=r"c.yaml:30: schema\[4\].personal: unknown key"):
        load_contract_datasets(path)
    path = write_variant(tmp_path, "  - name: coupon\n", "  - name: email\n")
    with pytest.raises(ContractError, match=r"c.yaml:30: schema\[5\].name: field 'email' is "
                       r"declared twice \(also schema\[4\]\)"):
        load_contract_datasets(path)
