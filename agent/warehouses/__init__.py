"""Warehouse connections: SQLAlchemy engines per dialect and an async facade over a thread pool."""
