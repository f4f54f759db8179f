"""`dq-agent contract compile` prints config YAML that loads as printed; a config's `contracts:`
run with `dq-agent check`: broken promises fail, fields missing in the table fail the schema."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.cli import main
from agent.config.loader import load_config
from tests.agent.contracts.test_compile import CONTRACT
from tests.support.backends import Backend


def orders(backend: Backend, *, drop: str | None = None, amount_type: Any = None) -> None:
    """30 orders of the last day; order 7 has two lines; one bad status, one negative amount,
    10 missing e-mails (33%, over the 20% allowed), 25 missing coupons (within 90%)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = []
    for i in range(30):
        rows.append({
            "order_id": 7 if i == 8 else i, "customer_id": 100 + i % 7,
            "status": "lost" if i == 3 else "placed", "amount": -5 if i == 4 else 10 + i,
            "email": None if i % 3 == 0 else f"c{i}@example.com",
            "coupon": "SPRING" if i < 5 else None, "line_no": 2 if i == 8 else 1,
            "created_at": now - timedelta(minutes=10 + 40 * i),
        })
    columns: dict[str, Any] = {
        "order_id": sa.Integer(), "customer_id": sa.Integer(), "status": sa.String(20),
        "amount": amount_type or sa.Numeric(10, 2), "email": sa.String(80),
        "coupon": sa.String(20), "line_no": sa.Integer(), "created_at": sa.DateTime(),
    }
    if drop:
        columns.pop(drop)
        for row in rows:
            row.pop(drop)
    if amount_type is not None:
        for row in rows:
            row["amount"] = str(row["amount"])
    backend.create_table("orders", columns, rows)


def write_config(tmp_path: Path, backend: Backend) -> Path:
    shutil.copy(CONTRACT, tmp_path / "orders.contract.yaml")
    path = tmp_path / "dq.yaml"
    path.write_text(f"warehouses:\n  w: {{url: '{backend.url}'}}\n"
                    "contracts:\n  - orders.contract.yaml\n", encoding="utf-8")
    return path


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--config", str(path), "--once", "--format", "json", "--no-history"])
    return code, {r["check"]: r for r in json.loads(capsys.readouterr().out)}


def test_compile_prints_a_config_that_loads_as_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    code = main(["contract", "compile", str(CONTRACT), "--warehouse", "shop",
                 "--warehouse-url", url])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith(f"# compiled from {CONTRACT}: contract orders v1.2.0\n")
    path = tmp_path / "compiled.yaml"
    path.write_text(printed, encoding="utf-8")
    config = load_config(path)
    assert config.warehouses["shop"].url == url
    dataset = config.datasets["orders"]
    assert dataset.warehouse == "shop" and len(dataset.checks) == 15
    assert dataset.failing_row_samples.mask == ["email"]

    main(["contract", "compile", str(CONTRACT)])
    fragment = capsys.readouterr().out
    assert "warehouses:" not in fragment and "\ndatasets:\n  orders:\n    table: main.orders\n" in fragment


def test_compile_reports_a_bad_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CONTRACT.read_text().replace("- [order_id, line_no]", "- [order_id, line]"))
    assert main(["contract", "compile", str(path)]) == 2
    assert f"{path}:47: quality.uniqueness[0][1]: field 'line' is not declared" in (
        capsys.readouterr().err)


def test_config_contracts_run_and_broken_promises_fail(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders(duckdb_backend)
    code, results = run_check(write_config(tmp_path, duckdb_backend), capsys)
    assert code == 1
    status = {name: r["status"] for name, r in results.items()}
    assert {r["dataset"] for r in results.values()} == {"orders"}
    assert status == {
        "schema": "pass",
        "not_null_order_id": "pass", "not_null_customer_id": "pass", "not_null_status": "pass",
        "accepted_values_status": "fail", "not_null_amount": "pass", "range_amount": "fail",
        "not_null_email": "fail", "not_null_coupon": "pass", "not_null_line_no": "pass",
        "not_null_created_at": "pass", "unique_order_id": "fail",
        "unique_order_id_line_no": "pass", "freshness_created_at": "pass", "daily_volume": "pass",
    }
    assert results["daily_volume"]["observed_value"] == 30
    assert results["not_null_email"]["observed_value"] == pytest.approx(10 / 30)


def test_fields_missing_in_the_table_fail_the_schema_check(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders(duckdb_backend, drop="coupon", amount_type=sa.String(20))
    _, results = run_check(write_config(tmp_path, duckdb_backend), capsys)
    schema = results["schema"]
    assert schema["status"] == "fail" and schema["observed_value"] == 2
    assert schema["error"] == (
        "missing columns ['coupon']; wrong types amount is VARCHAR, expected decimal")


def test_a_bad_contract_in_the_config_names_both_places(
    duckdb_backend: Backend, tmp_path: Path
) -> None:
    from agent.config.errors import ConfigError

    path = write_config(tmp_path, duckdb_backend)
    contract = tmp_path / "orders.contract.yaml"
    contract.write_text(contract.read_text().replace("- [order_id, line_no]", "- [order, line_no]"))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(
        f"{path}:4: contracts[0]: {contract}:47: quality.uniqueness[0][0]: field 'order' is not "
        "declared in the contract's schema")
