"""dq-agent: a data-quality observability agent with a Prometheus exporter."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dq-agent")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
