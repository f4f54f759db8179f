"""Progress of a long profile: a bar on an interactive terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger(__name__)
BAR_WIDTH = 30


class Progress:
    """Call ``advance(rows)`` per batch and ``finish()`` at the end. ``total`` may be an
    estimate (or None when unknown); the bar then stops at 99% until ``finish``."""

    def __init__(
        self, label: str, total: int | None, *, stream: TextIO | None = None,
        tty: bool | None = None, log_every: float = 10.0, redraw_every: float = 0.1,
    ) -> None:
        self.label = label
        self.total = total if total and total > 0 else None
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.rows = 0
        self.started = time.monotonic()
        self._log_every = log_every
        self._redraw_every = redraw_every
        self._last = 0.0
        self._drawn = False

    @staticmethod
    def factory(*, tty: bool | None = None) -> Callable[[str, int | None], Progress]:
        """A ``(label, total) -> Progress`` maker (the form profilers take)."""

        def make(label: str, total: int | None) -> Progress:
            return Progress(label, total, tty=tty)

        return make

    def advance(self, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if now - self._last < (self._redraw_every if self.tty else self._log_every):
            return
        self._last = now
        if self.tty:
            self._draw()
        else:
            log.info("%s", self.line())

    def line(self) -> str:
        elapsed = max(1e-9, time.monotonic() - self.started)
        rate = self.rows / elapsed
        if self.total is None:
            return f"{self.label}: {self.rows:,} rows, {rate:,.0f} rows/s"
        share = min(0.99, self.rows / self.total)
        return (f"{self.label}: {self.rows:,} of ~{self.total:,} rows ({share:.0%}), "
                f"{rate:,.0f} rows/s")

    def _draw(self) -> None:
        if self.total is None:
            text = self.line()
        else:
            share = min(0.99, self.rows / self.total)
            filled = int(share * BAR_WIDTH)
            text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.line()}"
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        elapsed = time.monotonic() - self.started
        message = f"{self.label}: {self.rows:,} rows in {elapsed:.1f}s"
        if self.tty:
            if self._drawn:
                self.stream.write("\r\x1b[K")
            self.stream.write(message + "\n")
            self.stream.flush()
        else:
            log.info("%s", message)
