"""Server-wide pacing of played steps: many sessions playing at once share a budget of
steps per second, so that the server (and a room of browsers) stays responsive.

A session's own speed still applies; under load every player slows down evenly, and
more so while experiments (sweeps) run on the server. A click on Step is not paced.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["Pacer", "pacer"]


class Pacer:
    """Hands out played steps at most ``rate`` per second, first come, first served;
    ``busy_rate`` per second while background work (``busy`` > 0) runs."""

    def __init__(self, rate: float, busy_rate: float | None = None) -> None:
        self.interval = 1.0 / rate
        self.busy_interval = 1.0 / (busy_rate or rate)
        self.busy = 0
        self.next = 0.0
        self.lock = threading.Lock()

    def working(self, started: bool) -> None:
        """Background work started (True) or ended (False)."""
        with self.lock:
            self.busy += 1 if started else -1

    def book(self, now: float) -> float:
        """The time (seconds, monotonic) of the next free slot from ``now`` on, booked for
        this caller: the next caller's slot is one interval later."""
        with self.lock:
            slot = max(now, self.next)
            self.next = slot + (self.busy_interval if self.busy > 0 else self.interval)
        return slot

    def wait(self) -> float:
        """Block until this caller's step may run; returns the seconds waited."""
        now = time.monotonic()
        delay = self.book(now) - now
        if delay > 0:
            time.sleep(delay)
        return delay


#: The server's pacer. ORGABM_PLAY_RATE: played steps per second over all sessions
#: (default 10); ORGABM_PLAY_RATE_SWEEPING: while an experiment runs (default 4).
pacer = Pacer(
    max(0.1, float(os.environ.get("ORGABM_PLAY_RATE", "10") or 10)),
    max(0.1, float(os.environ.get("ORGABM_PLAY_RATE_SWEEPING", "4") or 4)),
)
