"""The one exception type for configuration problems; its message names file, line and key."""


class ConfigError(Exception):
    """A configuration that cannot be used. ``str(error)`` is meant for the operator."""
