"""Freshness SLAs: the maximum age a dataset may have, and how often it stayed within it."""
