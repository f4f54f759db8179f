"""Prometheus exposition of dq-agent's results: the metric catalogue and the Collector."""
