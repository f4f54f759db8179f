"""The suite every tool of the comparison runs, and the table it runs on.

Plain Python with no imports beyond the standard library: the dq-agent side and the drivers in
the Great Expectations and Soda virtualenvs all read it. Each expectation is written once, in
Great Expectations' vocabulary (what dq-agent's rule files take as they are); the Soda driver
translates it to SodaCL. ``mostly`` below 1 is used only on columns without NULLs (or for
not-null itself), where Great Expectations' share of non-null values and Soda's share of all
rows are the same number. ``expected`` is what the data is built to give; ``kind`` says what the
expectation makes the database compute (see ``KINDS``).
"""

from __future__ import annotations

from typing import Any

SCHEMA, TABLE = "bench_compare", "orders"

# Built server-side with generate_series; every value is a function of the row number ``i``.
CREATE_TABLE = f"""
CREATE TABLE {SCHEMA}.{TABLE} AS
SELECT i AS id,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 1 + (i * 7919) % 400000 END AS customer_id,
       'ORD-' || lpad(i::text, 8, '0') AS order_ref,
       CASE WHEN i % 211 = 0 THEN 'customer' || (i % 400000) || '-at-example.com'
            WHEN i % 509 = 0 THEN 'Customer ' || (i % 400000) || '@example.com'
            ELSE 'customer' || ((i * 7919) % 400000) || '@example.'
                 || (ARRAY['com', 'org', 'net'])[1 + i % 3] END AS email,
       CASE WHEN i % 1009 = 0 THEN -((i % 5000) / 100.0)
            ELSE ((i * 48271) % 1000000) / 100.0 END::numeric(12, 2) AS amount,
       (1 + (i * 31) % 20)::int AS quantity,
       (ARRAY['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'])[1 + (i * 13) % 6]
           AS status,
       CASE WHEN i % 10007 = 0 THEN 'XX'
            ELSE (ARRAY['DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'PL', 'SE', 'AT'])[1 + (i * 17) % 10]
            END AS country,
       (ARRAY['EUR', 'USD', 'GBP'])[1 + i % 3] AS currency,
       'SKU-' || chr(65 + (i % 26)::int) || chr(65 + (i / 26 % 26)::int)
           || chr(65 + (i / 676 % 26)::int) || '-' || lpad(((i * 7) % 10000)::text, 4, '0') AS sku,
       CASE WHEN i % 4 = 0 THEN (i % 31)::numeric(5, 2) END AS discount,
       timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 6.3) AS created_at,
       timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 6.3 + i % 86400) AS updated_at
FROM generate_series(1::bigint, {{rows}}) AS s(i)
"""

STATUSES = ["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
COUNTRIES = ["DE", "FR", "GB", "US", "NL", "ES", "IT", "PL", "SE", "AT"]
EMAIL = r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"


# What an expectation makes the database compute, declared on every entry below: ``--kinds`` and
# ``--without`` of the benchmark select a part of the suite by it. ``regex`` evaluates a regular
# expression on every row; ``unique`` needs a GROUP BY (or a sort) over every value of the column;
# the other kinds are aggregates one scan computes.
KINDS = ("row_count", "not_null", "unique", "in_set", "not_in_set", "regex", "between", "statistic",
         "length", "distinct_count", "column_pair")


def _e(ident: str, kind: str, expectation_type: str, expected: bool, **kwargs: Any) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"suite entry {ident!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return {"id": ident, "kind": kind, "expectation_type": expectation_type, "kwargs": kwargs,
            "expected": expected}


SUITE: list[dict[str, Any]] = [
    _e("rows", "row_count", "expect_table_row_count_to_be_between", True,
       min_value=4_500_000, max_value=5_500_000),
    _e("id_not_null", "not_null", "expect_column_values_to_not_be_null", True, column="id"),
    _e("customer_not_null", "not_null", "expect_column_values_to_not_be_null", False, column="customer_id"),
    _e("customer_mostly_not_null", "not_null", "expect_column_values_to_not_be_null", True,
       column="customer_id", mostly=0.95),
    _e("email_not_null", "not_null", "expect_column_values_to_not_be_null", True, column="email"),
    _e("created_not_null", "not_null", "expect_column_values_to_not_be_null", True, column="created_at"),
    _e("id_unique", "unique", "expect_column_values_to_be_unique", True, column="id"),
    _e("order_ref_unique", "unique", "expect_column_values_to_be_unique", True, column="order_ref"),
    _e("email_unique", "unique", "expect_column_values_to_be_unique", False, column="email"),
    _e("status_in_set", "in_set", "expect_column_values_to_be_in_set", True,
       column="status", value_set=STATUSES),
    _e("currency_in_set", "in_set", "expect_column_values_to_be_in_set", True,
       column="currency", value_set=["EUR", "USD", "GBP"]),
    _e("country_in_set", "in_set", "expect_column_values_to_be_in_set", False,
       column="country", value_set=COUNTRIES),
    _e("country_mostly_in_set", "in_set", "expect_column_values_to_be_in_set", True,
       column="country", value_set=COUNTRIES, mostly=0.999),
    _e("status_not_in_set", "not_in_set", "expect_column_values_to_not_be_in_set", True,
       column="status", value_set=["unknown", "deleted"]),
    _e("email_format", "regex", "expect_column_values_to_match_regex", False, column="email", regex=EMAIL),
    _e("email_mostly_format", "regex", "expect_column_values_to_match_regex", True,
       column="email", regex=EMAIL, mostly=0.99),
    _e("sku_format", "regex", "expect_column_values_to_match_regex", True,
       column="sku", regex=r"^SKU-[A-Z]{3}-[0-9]{4}$"),
    _e("order_ref_format", "regex", "expect_column_values_to_match_regex", True,
       column="order_ref", regex=r"^ORD-[0-9]{8}$"),
    _e("amount_between", "between", "expect_column_values_to_be_between", False,
       column="amount", min_value=0, max_value=10000),
    _e("amount_mostly_between", "between", "expect_column_values_to_be_between", True,
       column="amount", min_value=0, max_value=10000, mostly=0.99),
    _e("quantity_between", "between", "expect_column_values_to_be_between", True,
       column="quantity", min_value=1, max_value=20),
    _e("discount_between", "between", "expect_column_values_to_be_between", True,
       column="discount", min_value=0, max_value=50),
    _e("amount_min", "statistic", "expect_column_min_to_be_between", True,
       column="amount", min_value=-100, max_value=0),
    _e("amount_max", "statistic", "expect_column_max_to_be_between", True,
       column="amount", min_value=9000, max_value=10000),
    _e("amount_mean", "statistic", "expect_column_mean_to_be_between", True,
       column="amount", min_value=4000, max_value=6000),
    _e("amount_stdev", "statistic", "expect_column_stdev_to_be_between", True,
       column="amount", min_value=2000, max_value=4000),
    _e("country_length", "length", "expect_column_value_lengths_to_be_between", True,
       column="country", min_value=2, max_value=2),
    _e("email_length", "length", "expect_column_value_lengths_to_be_between", True,
       column="email", min_value=5, max_value=64),
    _e("status_distinct", "distinct_count", "expect_column_unique_value_count_to_be_between", True,
       column="status", min_value=5, max_value=8),
    _e("updated_after_created", "column_pair", "expect_column_pair_values_a_to_be_greater_than_b", True,
       column_A="updated_at", column_B="created_at", or_equal=True),
]


def select(kinds: list[str] | None = None, without: list[str] | None = None) -> list[dict[str, Any]]:
    """The suite entries of the ``kinds`` (all when None) minus those of the ``without`` kinds."""
    unknown = sorted((set(kinds or []) | set(without or [])) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown expectation kind(s) {', '.join(unknown)}; "
                         f"the suite's kinds are {', '.join(KINDS)}")
    chosen = [item for item in SUITE
              if (kinds is None or item["kind"] in kinds) and item["kind"] not in (without or [])]
    if not chosen:
        raise ValueError("the selection leaves no expectation of the suite")
    return chosen


def by_ids(ids: str | None) -> list[dict[str, Any]]:
    """The suite entries named in the comma-separated ``ids`` (the whole suite when None), in
    suite order: how the drivers receive the selection the benchmark made."""
    if ids is None:
        return list(SUITE)
    wanted = set(ids.split(","))
    unknown = wanted - {item["id"] for item in SUITE}
    if unknown:
        raise SystemExit(f"no suite entries named {', '.join(sorted(unknown))}")
    return [item for item in SUITE if item["id"] in wanted]
