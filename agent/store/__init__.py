"""The history store: validation rules, runs with their results, and metric time series."""
