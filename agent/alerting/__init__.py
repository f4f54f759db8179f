"""Where a dataset's alerts go: its channels and re-notification window, exported to Prometheus
and turned into Alertmanager routes and receivers."""
