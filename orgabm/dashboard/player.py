"""The stage's player: a thread that steps the shown session while Play is on, paced by
the server (``pacing``) and by the page, which must draw a step before the next one.

Plain Python (no Solara): the stage builds one :class:`Player` for its whole life and
hands it the session to step, the way to advance it and what to do when a run ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .pacing import pacer
from .session import Session

__all__ = ["SPEEDS", "Player"]

#: Seconds between played steps at each speed.
SPEEDS = {"slow": 0.8, "normal": 0.3, "fast": 0.05}


@dataclass
class Player:
    """What the player thread and the stage's buttons share (a button's handler may be a
    render behind): the session it steps now, whether and how fast it plays, and the
    last step the page drew."""

    session: Session
    playing: bool = False
    speed: str = "normal"
    drawn: int = -1
    alive: bool = True
    drawn_changed: threading.Condition = field(default_factory=threading.Condition)

    def show(self, session: Session) -> None:
        """A render shows ``session`` at its current step (a new session starts paused)."""
        if self.session is not session:
            self.session, self.playing, self.drawn = session, False, -1
        with self.drawn_changed:
            self.drawn = session.time
            self.drawn_changed.notify_all()

    def stop(self) -> None:
        """End the thread (the stage is gone)."""
        with self.drawn_changed:
            self.alive = False
            self.drawn_changed.notify_all()

    def run(self, closed: threading.Event, advance: Callable[[], None],
            ended: Callable[[], None]) -> None:  # fmt: skip
        """Step while playing until stopped or ``closed`` is set; ``ended`` when a run
        stops on its own."""
        while self.alive and not closed.is_set():
            current = self.session
            if not (self.playing and current.running):
                if self.playing:  # the run ended
                    self.playing = False
                    ended()
                time.sleep(0.1)
                continue
            started = time.perf_counter()
            pacer.wait()  # the server's budget of played steps, shared by every session
            if not (self.playing and self.session is current and self.alive):
                continue
            advance()
            # the next step waits for this one to be drawn: never faster than the page
            with self.drawn_changed:
                self.drawn_changed.wait_for(
                    lambda: (
                        self.drawn >= current.time  # noqa: B023 - this step's
                        or self.session is not current  # noqa: B023
                        or not self.alive
                    ),
                    timeout=5,
                )
            time.sleep(max(0.0, SPEEDS[self.speed] - (time.perf_counter() - started)))
