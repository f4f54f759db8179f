"""Data contracts: a dataset's declared schema and quality promises, compiled into checks."""
