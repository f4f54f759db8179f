"""Parameters every detector receives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorParams:
    """``training_window`` and ``min_history`` count points; ``period`` 0 means no seasonality."""

    training_window: int = 720
    min_history: int = 24
    period: int = 0
