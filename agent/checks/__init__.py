"""Data-quality checks: the base classes, the registry, the planner that fuses their queries."""
