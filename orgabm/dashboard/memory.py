"""Handing a class's memory back: after browser sessions close, the server collects their
cycles and returns the freed heap pages to the system.

A closed session's objects are freed, but the process keeps the memory they used: small
objects that outlive a session (caches in the libraries, thread states) pin pages of the
allocator, so nothing is returned on its own. The server therefore runs with the C
allocator (``PYTHONMALLOC=malloc``, set by ``serve.server_env``; Python's own small-object
arenas go back only when wholly empty, which after a class none is) and, a few seconds
after sessions close, calls glibc's ``malloc_trim(0)``, which gives back every free page
inside the heap. On other C libraries the trim is skipped and the memory is reused.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, cast

__all__ = [
    "SERVER_ONLY_MALLOC", "ReleaseAfterSessions", "can_trim", "keep_releasing",
    "leave_the_allocator_to_the_server", "trim_delays", "trim_heap",
]  # fmt: skip

#: set beside ``PYTHONMALLOC=malloc`` when ``serve.server_env`` chose it (not the user)
SERVER_ONLY_MALLOC = "ORGABM_SERVER_ONLY_MALLOC"

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows,
    musl)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        trim = ctypes.CDLL(None).malloc_trim  # the symbols the process already has
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
        return trim
    return None


_TRIM = _malloc_trim()


def can_trim() -> bool:
    """True where the C library can hand freed heap pages back (glibc)."""
    return _TRIM is not None


def trim_heap() -> bool:
    """Collect garbage cycles, then return the heap's free pages to the system (glibc);
    True if the C library could trim."""
    gc.collect()
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def _open_sessions() -> Collection[str]:
    """The ids of the browser sessions (Solara's virtual kernels) the server holds."""
    from solara.server import kernel_context

    return list(kernel_context.contexts)


class ReleaseAfterSessions:
    """Watches the server's open sessions; once one has closed, trims the heap ``after``
    seconds after the last close (a session's teardown, its widgets and its player thread,
    ends some seconds after it leaves Solara's registry, so it trims more than once).
    Sessions opening do not trigger or postpone anything."""

    def __init__(
        self,
        sessions: Callable[[], Collection[str]] = _open_sessions,
        trim: Callable[[], object] = trim_heap,
        every: float = 1.0,
        after: tuple[float, ...] = (3.0, 10.0, 30.0),
    ) -> None:
        self.sessions, self.trim, self.every, self.after = sessions, trim, every, after
        self._stop = threading.Event()
        self._seen: set[str] = set()
        self._closed_at, self._due = 0.0, len(after)

    def check(self, now: float) -> None:
        """One pass at time ``now`` (seconds, monotonic): note closed sessions, and trim
        when the next delay after the last close has passed. The thread calls it every
        ``every`` seconds; a test calls it with its own clock."""
        current = set(self.sessions())
        if self._seen - current:  # a session closed (a reload too: its id changes)
            self._closed_at, self._due = now, 0
        self._seen = current
        if self._due < len(self.after) and now - self._closed_at >= self.after[self._due]:
            self._due += 1
            self.trim()

    def watch(self) -> None:
        """Run until ``stop()``: the loop of the watching thread."""
        while not self._stop.wait(self.every):
            try:
                self.check(time.monotonic())
            except Exception:  # never let one bad pass end the server's watcher
                log.exception("handing memory back after sessions closed failed")

    def start(self) -> ReleaseAfterSessions:
        """Watch in a daemon thread."""
        thread = threading.Thread(target=self.watch, daemon=True, name="orgabm-memory")
        # Solara ties a thread to the session that created it, for the thread's life:
        # this one serves the whole server and must not keep its first session alive
        # (Solara's patch of Thread adds the attribute; threading's stubs lack it)
        cast(Any, thread).current_context = None
        thread.start()
        return self

    def stop(self) -> None:
        """End the watching thread."""
        self._stop.set()


def leave_the_allocator_to_the_server() -> None:
    """Once the server runs: the processes it starts (sweep workers) use Python's own
    allocator again, unless the user chose one. They exit after their sweep, so their
    memory goes back anyway, and their runs are about 7% faster with it."""
    if os.environ.pop(SERVER_ONLY_MALLOC, None):
        os.environ.pop("PYTHONMALLOC", None)


def trim_delays() -> tuple[float, ...]:
    """The seconds after the last close at which the server trims: ``ORGABM_TRIM_AFTER``
    (comma-separated, default 3,10,30; a load test shortens them to keep its wait short)."""
    text = os.environ.get("ORGABM_TRIM_AFTER", "").strip()
    try:
        delays = tuple(sorted(float(part) for part in text.split(",") if part.strip()))
    except ValueError:
        log.warning("ORGABM_TRIM_AFTER=%r is not a list of seconds; using 3,10,30", text)
        delays = ()
    return delays if delays and min(delays) >= 0 else (3.0, 10.0, 30.0)


_keeper: ReleaseAfterSessions | None = None
_keeper_lock = threading.Lock()


def keep_releasing() -> ReleaseAfterSessions:
    """The server's one watcher, started on first call."""
    global _keeper
    with _keeper_lock:
        if _keeper is None:
            leave_the_allocator_to_the_server()
            _keeper = ReleaseAfterSessions(after=trim_delays()).start()
        return _keeper
