"""Short native names accepted in place of Great Expectations' expectation types."""

from __future__ import annotations

ALIASES: dict[str, str] = {
    "not_null": "expect_column_values_to_not_be_null",
    "null": "expect_column_values_to_be_null",
    "unique": "expect_column_values_to_be_unique",
    "between": "expect_column_values_to_be_between",
    "range": "expect_column_values_to_be_between",
    "in_set": "expect_column_values_to_be_in_set",
    "accepted_values": "expect_column_values_to_be_in_set",
    "not_in_set": "expect_column_values_to_not_be_in_set",
    "regex": "expect_column_values_to_match_regex",
    "not_regex": "expect_column_values_to_not_match_regex",
    "like": "expect_column_values_to_match_like_pattern",
    "length_between": "expect_column_value_lengths_to_be_between",
    "row_count": "expect_table_row_count_to_be_between",
    "row_count_equal": "expect_table_row_count_to_equal",
    "min_between": "expect_column_min_to_be_between",
    "max_between": "expect_column_max_to_be_between",
    "mean_between": "expect_column_mean_to_be_between",
    "sum_between": "expect_column_sum_to_be_between",
    "stdev_between": "expect_column_stdev_to_be_between",
    "median_between": "expect_column_median_to_be_between",
    "quantiles": "expect_column_quantile_values_to_be_between",
    "distinct_count_between": "expect_column_unique_value_count_to_be_between",
    "compound_unique": "expect_compound_columns_to_be_unique",
    "column_exists": "expect_column_to_exist",
    "columns_match_set": "expect_table_columns_to_match_set",
    "columns_match_list": "expect_table_columns_to_match_ordered_list",
    "pair_equal": "expect_column_pair_values_to_be_equal",
    "a_greater_than_b": "expect_column_pair_values_a_to_be_greater_than_b",
    "increasing": "expect_column_values_to_be_increasing",
    "decreasing": "expect_column_values_to_be_decreasing",
    "kl_divergence": "expect_column_kl_divergence_to_be_less_than",
    "chisquare": "expect_column_chisquare_test_p_value_to_be_greater_than",
    "ks_test": "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than",
}
# Arguments of the native checks renamed to Great Expectations' keywords.
ALIAS_KWARGS: dict[str, dict[str, str]] = {
    "between": {"min": "min_value", "max": "max_value"},
    "range": {"min": "min_value", "max": "max_value"},
    "row_count": {"min": "min_value", "max": "max_value"},
    "in_set": {"values": "value_set"},
    "accepted_values": {"values": "value_set"},
    "not_in_set": {"values": "value_set"},
    "regex": {"pattern": "regex"},
    "not_regex": {"pattern": "regex"},
    "like": {"pattern": "like_pattern"},
    "length_between": {"min": "min_value", "max": "max_value"},
}


def canonical(expectation_type: str) -> str:
    return ALIASES.get(expectation_type, expectation_type)


def rename_kwargs(expectation_type: str, kwargs: dict[str, object]) -> dict[str, object]:
    renames = ALIAS_KWARGS.get(expectation_type, {})
    return {renames.get(key, key): value for key, value in kwargs.items()}
