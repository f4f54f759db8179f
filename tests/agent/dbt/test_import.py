"""`dq-agent dbt import` on a dbt v12 manifest: the config it prints loads as printed, the
checks run on DuckDB (some pass, some fail), and unsupported tests are listed, not dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.cli import main
from agent.config.loader import load_config
from agent.dbt.convert import import_tests
from agent.dbt.manifest import ManifestError, load_manifest
from tests.support.backends import Backend

MANIFEST = Path(__file__).with_name("manifest.json")
SKIPPED = {
    "test.jaffle_shop.accepted_values_orders_status__placed__shipped.3f9a6c2d10":
        "its `where` filter (ordered_at > current_date - 7) is not imported; add a dataset with "
        "that `where`",
    "test.jaffle_shop.assert_order_totals_positive":
        "singular (SQL file) tests are not imported; write a custom_sql check",
    "test.jaffle_shop.dbt_utils_at_least_one_orders_coupon.88d1e0c4b7":
        "test dbt_utils.at_least_one has no dq-agent equivalent",
}


def seed(backend: Backend) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    backend.create_table("customers", {"customer_id": sa.Integer(), "age": sa.Integer()},
                         [{"customer_id": i, "age": age}
                          for i, age in zip(range(1, 6), (25, 30, 18, 40, 50), strict=True)])
    orders = []
    for i, order_id in enumerate((1, 2, 3, 3, 4, 5, 6, 7)):
        ordered = now - timedelta(hours=2 + i)
        orders.append({
            "order_id": order_id, "customer_id": 99 if i == 5 else 1 + i % 5,
            "status": "lost" if i == 2 else "placed", "amount": -5 if i == 4 else 20 + i,
            "coupon": None, "ordered_at": ordered,
            "shipped_at": ordered + timedelta(hours=1) if i % 2 else None,
        })
    columns: dict[str, Any] = {"order_id": sa.Integer(), "customer_id": sa.Integer(), "status": sa.String(20),
               "amount": sa.Integer(), "coupon": sa.String(20), "ordered_at": sa.DateTime(),
               "shipped_at": sa.DateTime()}
    backend.create_table("orders", columns, orders)
    backend.create_table("stg_orders", columns, orders)
    backend.create_table("raw_payments", {"payment_id": sa.Integer(), "amount": sa.Integer()},
                         [{"payment_id": 1, "amount": 10}, {"payment_id": 2, "amount": None}])


def test_imported_config_loads_as_printed_and_runs(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(duckdb_backend)
    code = main(["dbt", "import", str(MANIFEST), "--warehouse", "duck",
                 "--warehouse-url", duckdb_backend.url, "--schedule", "1h"])
    captured = capsys.readouterr()
    assert code == 0
    for unique_id, reason in SKIPPED.items():
        assert f"dq-agent: warning: skipped {unique_id}: {reason}" in captured.err
        assert f"#   skipped {unique_id}: {reason}\n" in captured.out
    assert captured.out.startswith(
        f"# imported from {MANIFEST}: 13 dbt tests as checks on 3 datasets, 3 skipped\n")
    path = tmp_path / "dbt.yaml"
    path.write_text(captured.out, encoding="utf-8")
    config = load_config(path)
    assert sorted(config.datasets) == ["customers", "orders", "raw_payments"]
    assert config.datasets["orders"].schedule.interval == 3600.0
    assert config.datasets["orders"].schema_and_table() == ("main", "orders")

    code = main(["check", "--config", str(path), "--once", "--format", "json", "--no-history"])
    results = json.loads(capsys.readouterr().out)
    assert code == 1
    status = {(r["dataset"], r["check"]): r["status"] for r in results}
    assert status == {
        ("customers", "unique_customers_customer_id"): "pass",
        ("customers", "not_null_customers_customer_id"): "pass",
        ("customers", "dbt_utils_accepted_range_customers_age__18"): "fail",  # 18 is not > 18
        ("orders", "not_null_orders_order_id"): "pass",
        ("orders", "unique_orders_order_id"): "fail",
        ("orders", "accepted_values_orders_status__placed__shipped__completed__returned"): "fail",
        ("orders", "relationships_orders_customer_id__customer_id__ref_customers_"): "fail",
        ("orders", "dbt_utils_expression_is_true_orders_amount___0"): "fail",
        ("orders", "dbt_utils_expression_is_true_orders_shipped_at_ordered_at"): "pass",
        ("orders", "dbt_utils_accepted_range_orders_amount__1000__10"): "pass",
        ("orders", "dbt_utils_recency_orders_day__ordered_at__1"): "pass",
        ("orders", "dbt_utils_equal_rowcount_orders_ref_stg_orders_"): "pass",
        ("raw_payments", "source_not_null_raw_payments_amount"): "fail",
    }
    by_check = {r["check"]: r for r in results}
    assert by_check["source_not_null_raw_payments_amount"]["severity"] == "warning"
    assert by_check["unique_orders_order_id"]["severity"] == "critical"
    orphans = by_check["relationships_orders_customer_id__customer_id__ref_customers_"]
    assert orphans["observed_value"] == pytest.approx(1 / 8)  # customer 99 is not a customer


def test_mapping_of_each_test_type() -> None:
    imported = import_tests(load_manifest(MANIFEST))
    specs: dict[str, dict[str, Any]] = {
        spec["name"]: spec for dataset in imported.datasets.values() for spec in dataset["checks"]}
    assert dict(imported.skipped) == SKIPPED
    relationship = specs["relationships_orders_customer_id__customer_id__ref_customers_"]
    assert (relationship["type"], relationship["parent_schema"], relationship["parent_table"],
            relationship["parent_column"]) == ("referential_integrity", "main", "customers",
                                               "customer_id")
    assert specs["dbt_utils_recency_orders_day__ordered_at__1"]["max_age"] == 86400.0
    assert specs["dbt_utils_equal_rowcount_orders_ref_stg_orders_"]["other_table_name"] == (
        "main.stg_orders")
    assert specs["dbt_utils_expression_is_true_orders_amount___0"]["query"] == (
        "SELECT * FROM {table} WHERE NOT (amount >= 0)")
    age = specs["dbt_utils_accepted_range_customers_age__18"]
    assert (age["min"], age.get("max"), age["strict_min"]) == (18, None, True)
    assert imported.datasets["raw_payments"]["table"] == "raw_payments"


def test_unreadable_manifests_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"nodes": [1, 2', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest.json:1: not JSON"):
        load_manifest(path)
    path.write_text('{"metadata": {}}', encoding="utf-8")
    assert main(["dbt", "import", str(path)]) == 2
    assert "not a dbt manifest (no `nodes`)" in capsys.readouterr().err
