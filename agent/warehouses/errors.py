"""How a warehouse query can go wrong, as the agent tells operators."""


class WarehouseError(Exception):
    """Base class; ``reason`` labels dq_warehouse_query_errors_total."""

    reason = "query"


class QueryTimeout(WarehouseError):
    reason = "timeout"


class WarehouseUnavailable(WarehouseError):
    """The warehouse could not be reached (connection refused, authentication, DNS...)."""

    reason = "connection"


class QueryRefused(WarehouseError):
    """The agent refused to run a statement (e.g. custom SQL that would write)."""

    reason = "refused"
