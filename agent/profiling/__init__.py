"""Dataset profiles, sampling, incremental profiles, drift and rule suggestion."""
