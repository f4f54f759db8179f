"""Errors raised by the sketch layer."""

from __future__ import annotations


class SketchError(ValueError):
    """Bad input to a sketch: the message names the place and the fix."""
