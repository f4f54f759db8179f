"""Rule runs across two warehouses: `dq-agent check --warehouse URL --warehouse NAME=URL --rules`
on a DuckDB file and the real PostgreSQL; rules and expectations name them; names that were not
given, bad --warehouse values and unreachable servers are clear errors that never show a password."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from agent.cli import main
from tests.support.backends import Backend

SECRET = "Pg-s3cret-4-tests"
COLUMNS = {"id": sa.Integer(), "status": sa.String(10)}


def rows(count: int) -> list[dict[str, Any]]:
    return [{"id": i, "status": "paid" if i % 2 else "void"} for i in range(count)]


def with_password(url: str) -> str:
    """The URL with a password (the test server trusts local connections and ignores it)."""
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["check", *args, "--once", "--format", "json", "--no-history"])
    captured = capsys.readouterr()
    assert SECRET not in captured.out and SECRET not in captured.err
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


@pytest.fixture
def seeded(duckdb_backend: Backend, postgres_backend: Backend) -> tuple[Backend, Backend]:
    duckdb_backend.create_table("orders", COLUMNS, rows(20))
    postgres_backend.create_table("invoices", COLUMNS, rows(20))
    postgres_backend.create_table("payments", COLUMNS, rows(17))
    return duckdb_backend, postgres_backend


def test_rules_and_expectations_name_the_given_warehouses(
    seeded: tuple[Backend, Backend], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duck, pg = seeded
    schema = pg.schema
    folder = tmp_path / "rules"
    write(folder, "orders.yaml", f"""\
rule_id: orders_match_billing
dataset: orders
expectations:
  - expectation_type: reconciliation
    name: rows_vs_invoices
    kwargs: {{other: {{table: {schema}.invoices, warehouse: pg}}}}
  - expectation_type: expect_table_row_count_to_equal_other_table
    kwargs: {{other_table_name: {schema}.invoices, other_warehouse: pg}}
  - expectation_type: reconciliation
    name: paid_vs_paid_payments
    kwargs:
      where: "status = 'paid'"
      other: {{table: payments, schema: {schema}, warehouse: pg, where: "status = 'paid'"}}
""")
    write(folder, "payments.yaml", f"""\
rule_id: payments_match_orders
dataset: {schema}.payments
warehouse: pg
expectations:
  - expectation_type: expect_table_row_count_to_equal_other_table
    kwargs: {{other_table_name: main.orders, other_warehouse: default}}
  - expectation_type: reconciliation
    kwargs: {{other: {{table: orders, warehouse: default}}, tolerance: 2}}
""")
    code, reports, _ = run(capsys, "--warehouse", duck.url, "--warehouse",
                           f"pg={with_password(pg.url)}", "--rules", str(folder))
    assert code == 1  # some row counts differ
    by_rule = {report["rule_id"]: report for report in reports}
    orders = {r.get("name", r["expectation"]): r for r in by_rule["orders_match_billing"]["results"]}
    assert orders["rows_vs_invoices"]["success"] is True
    assert orders["rows_vs_invoices"]["observed_value"] == 0
    equal = orders["expect_table_row_count_to_equal_other_table"]
    assert equal["success"] is True and equal["observed_value"] is None  # GE: a dict, in details
    paid = orders["paid_vs_paid_payments"]
    assert paid["success"] is False and paid["observed_value"] == 10 - 8  # 10 paid of 20, 8 of 17
    assert by_rule["orders_match_billing"]["overall_result"] == "failure"

    payments = {r["expectation"]: r for r in by_rule["payments_match_orders"]["results"]}
    other_table = payments["expect_table_row_count_to_equal_other_table"]
    assert other_table["success"] is False
    assert other_table["error"] == "17 rows here, 20 in main.orders (warehouse default)"
    reconciliation = payments["reconciliation"]
    assert reconciliation["success"] is False and reconciliation["observed_value"] == -3
    assert reconciliation["expected_range"] == [-2, 2]


def test_the_first_warehouse_given_is_the_default(
    seeded: tuple[Backend, Backend], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duck, pg = seeded
    rule = write(tmp_path, "rule.yaml", f"""\
rule_id: invoices_equal_orders
dataset: {pg.schema}.invoices
expectations:
  - expectation_type: reconciliation
    kwargs: {{other: {{table: orders, warehouse: lake}}}}
""")
    code, report, err = run(capsys, "--warehouse", f"pg={with_password(pg.url)}",
                            "--warehouse", f"lake={duck.url}", "--rules", str(rule))
    assert code == 0, err
    [result] = report["results"]
    assert result["success"] is True and result["observed_value"] == 0


def test_a_warehouse_no_argument_gives_names_the_rule_file_the_key_and_the_fix(
    seeded: tuple[Backend, Backend], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duck, pg = seeded
    rule = write(tmp_path, "rule.yaml", """\
rule_id: r
dataset: orders
expectations:
  - expectation_type: row_count
  - expectation_type: reconciliation
    kwargs:
      other:
        table: invoices
        warehouse: billing
""")
    code, report, err = run(capsys, "--warehouse", duck.url, "--warehouse",
                            f"pg={with_password(pg.url)}", "--rules", str(rule))
    assert code == 2 and report is None
    assert (f"{rule}:9: expectations[1].kwargs.other.warehouse: rule 'r' names warehouse "
            "'billing', which no --warehouse gives; add --warehouse billing=URL "
            "(given: default, pg)") in err

    rule.write_text("rule_id: r\ndataset: orders\nwarehouse: pg\nexpectations:\n"
                    "  - expectation_type: row_count\n", encoding="utf-8")
    code, _, err = run(capsys, "--warehouse", duck.url, "--rules", str(rule))
    assert code == 2
    assert (f"{rule}:3: warehouse: rule 'r' names warehouse 'pg', which no --warehouse gives; "
            "add --warehouse pg=URL (given: default)") in err


@pytest.mark.parametrize(("values", "message"), [
    (["pg=postgresql//postgres:{secret}@127.0.0.1/test"],
     "--warehouse #1 (pg): not a SQLAlchemy URL"),
    (["duckdb:///a.db", "postgresql://postgres:{secret}@127.0.0.1/test"],
     "--warehouse #2: a second warehouse without a name; give each warehouse as NAME=URL"),
    (["pg=postgresql://postgres:{secret}@127.0.0.1/test", "pg=duckdb:///b.db"],
     "--warehouse #2: the name 'pg' is given twice"),
])
def test_bad_warehouse_arguments_are_named_without_their_url(
    values: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = write(tmp_path, "rule.yaml",
                 "rule_id: r\ndataset: t\nexpectations:\n  - expectation_type: row_count\n")
    args = [arg for value in values for arg in ("--warehouse", value.format(secret=SECRET))]
    code, _, err = run(capsys, *args, "--rules", str(rule))
    assert code == 2 and message in err


def test_an_unreachable_other_warehouse_errors_its_expectations_without_the_password(
    duckdb_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb_backend.create_table("orders", COLUMNS, rows(3))
    rule = write(tmp_path, "rule.yaml", """\
rule_id: r
dataset: orders
expectations:
  - expectation_type: row_count
    kwargs: {min: 1}
  - expectation_type: reconciliation
    kwargs: {other: {table: invoices, warehouse: down}}
""")
    down = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:1/test"
    code, report, _ = run(capsys, "--warehouse", duckdb_backend.url, "--warehouse", f"down={down}",
                          "--rules", str(rule))
    assert code == 2
    statuses = {r["expectation"]: r for r in report["results"]}
    assert statuses["expect_table_row_count_to_be_between"]["success"] is True
    failed = statuses["reconciliation"]
    assert failed["success"] is False and failed["exception_info"] == {"raised_exception": True}
    assert "on warehouse down failed" in failed["error"]
