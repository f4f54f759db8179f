"""Mergeable sketches (Apache DataSketches) for column profiles.

Entry point for profiling: ``ColumnSketch(name, kind)`` with ``update(batch)``, ``merge``,
``to_bytes`` / ``from_bytes`` and ``summary()``. The single-sketch wrappers are exported too.
"""

from agent.sketches.column_sketch import ColumnSketch, ColumnSummary, EmailSummary, sketch_columns
from agent.sketches.errors import SketchError
from agent.sketches.frequent import FrequentItems, TopValue
from agent.sketches.hll import DistinctCounter, DistinctEstimate
from agent.sketches.kll import EXPORTED_QUANTILES, PROFILE_QUANTILES, Histogram, QuantileSketch
from agent.sketches.patterns import email_domains, shapes
from agent.sketches.temporal import CalendarHistogram, calendar_histogram, to_epoch_seconds
from agent.sketches.values import COLUMN_KINDS, ColumnKind

__all__ = [
    "COLUMN_KINDS",
    "EXPORTED_QUANTILES",
    "PROFILE_QUANTILES",
    "CalendarHistogram",
    "ColumnKind",
    "ColumnSketch",
    "ColumnSummary",
    "DistinctCounter",
    "DistinctEstimate",
    "EmailSummary",
    "FrequentItems",
    "Histogram",
    "QuantileSketch",
    "SketchError",
    "TopValue",
    "calendar_histogram",
    "email_domains",
    "shapes",
    "sketch_columns",
    "to_epoch_seconds",
]
