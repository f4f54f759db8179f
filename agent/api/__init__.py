"""The agent's HTTP interface: /metrics, landing page, health, reload and a small JSON API."""
