"""Importing a dbt project's tests (from its manifest.json) as dq-agent checks."""
