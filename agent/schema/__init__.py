"""Schema snapshots of datasets and the drift between two of them."""
