"""The server's queue of experiments: one :class:`Scheduler` runs at most ``slots``
sweeps at once, each in one worker process, queues the rest in order, and kills the
workers on the server's SIGTERM.

Plain Python (no Solara), so it is tested without a browser.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from .experiments import ExperimentSpec, Job

__all__ = ["Scheduler", "scheduler", "stop_workers_on_sigterm"]


def _server_thread(target: Callable[..., None], args: tuple, name: str) -> threading.Thread:
    """A daemon thread tied to no browser session: Solara ties a thread to the session
    that created it, for the thread's life (its patch of Thread adds ``current_context``,
    which threading's stubs lack)."""
    thread = threading.Thread(target=target, args=args, daemon=True, name=name)
    cast(Any, thread).current_context = None
    return thread


class Scheduler:
    """Runs experiments for the whole server: ``slots`` at once, the rest queued in order."""

    def __init__(self, slots: int = 1, per_client: int = 1) -> None:
        self.slots, self.per_client = slots, per_client
        self.queue: list[Job] = []
        self.running: list[Job] = []
        self.lock = threading.Condition()
        self.thread: threading.Thread | None = None
        #: told True when a sweep starts and False when it ends (the dashboard's pacing)
        self.on_busy: Callable[[bool], None] | None = None

    def submit(self, spec: ExperimentSpec, client: str | None = None,
               closed: threading.Event | None = None) -> Job:  # fmt: skip
        """Check the spec and queue its job; ValueError if the spec is not allowed or
        ``client`` already has an experiment queued or running (one each)."""
        scenario = spec.check()
        with self.lock:
            self._prune()
            mine = [j for j in [*self.queue, *self.running] if j.client == client and j.active]
            if client is not None and len(mine) >= self.per_client:
                said = "one" if self.per_client == 1 else str(self.per_client)
                raise ValueError(f"this computer ({client}) already has an experiment queued or "
                                 f"running: {said} at a time per computer on this server; wait "
                                 "for it to end or cancel it in its tab")  # fmt: skip
            job = Job(spec, scenario, client, closed)
            self.queue.append(job)
            if self.thread is None or not self.thread.is_alive():
                # this one serves every session
                self.thread = _server_thread(self._serve, (), "orgabm-experiments")
                self.thread.start()
            self.lock.notify_all()
        return job

    def _prune(self) -> None:
        """Drop queued jobs that were cancelled or whose page has gone (under the lock)."""
        for job in self.queue:
            if job.state == "queued" and not job.active:
                job.cancel()
        self.queue = [j for j in self.queue if j.state == "queued"]

    def position(self, job: Job) -> int | None:
        """1 for the next to start; None if it is not waiting."""
        with self.lock:
            self._prune()
            return self.queue.index(job) + 1 if job in self.queue else None

    def _serve(self) -> None:
        while True:
            with self.lock:
                self._prune()
                while not self.queue or len(self.running) >= self.slots:
                    # wake every second: a queued job's page may close without a notify
                    if not self.lock.wait(timeout=1) and not self.queue and not self.running:
                        self.thread = None
                        return
                    self._prune()
                job = self.queue.pop(0)
                self.running.append(job)
            _server_thread(self._run, (job,), "orgabm-experiment").start()

    def stop_all(self, wait: float = 5.0) -> bool:
        """Cancel every job and wait up to ``wait`` seconds for the running ones' workers
        to be killed; True if none is left running."""
        with self.lock:
            jobs = [*self.queue, *self.running]
        for job in jobs:
            job.cancel()
        ends = time.monotonic() + wait
        with self.lock:
            while self.running and time.monotonic() < ends:
                self.lock.wait(timeout=0.05)
            return not self.running

    def _run(self, job: Job) -> None:
        if self.on_busy is not None:
            self.on_busy(True)  # e.g. the dashboard slows played steps while a sweep runs
        try:
            job.run()
        finally:
            if self.on_busy is not None:
                self.on_busy(False)
            with self.lock:
                self.running.remove(job)
                self.lock.notify_all()


#: The server's scheduler; ORGABM_SWEEP_SLOTS sets how many sweeps run at once (default 1),
#: ORGABM_EXPERIMENTS_PER_CLIENT how many one address may have queued or running (default 1;
#: more where many students share one address, e.g. a load test on loopback).
scheduler = Scheduler(
    max(1, int(os.environ.get("ORGABM_SWEEP_SLOTS", "1") or 1)),
    max(1, int(os.environ.get("ORGABM_EXPERIMENTS_PER_CLIENT", "1") or 1)),
)


def stop_workers_on_sigterm(target: Scheduler = scheduler) -> bool:
    """In the server's main thread: on SIGTERM, cancel ``target``'s jobs and kill their
    workers, then hand the signal on (uvicorn's graceful shutdown). A worker busy in a
    long run reads no more input, so closing its pipe alone would not stop it. False
    where signals cannot be set here (not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "orgabm_stops_workers", False):
        return True  # already installed (the app module is imported again on reload)

    signal.signal(signal.SIGTERM, _StopWorkersOnSigterm(target, previous))
    return True


@dataclass
class _StopWorkersOnSigterm:
    """The SIGTERM handler: cancel ``target``'s jobs, then hand the signal on; marked so
    that installing it again sees it there."""

    target: Scheduler
    previous: Any  # what signal.getsignal returned: a handler, SIG_DFL, SIG_IGN or None
    orgabm_stops_workers = True

    def __call__(self, signum: int, frame: Any) -> None:
        self.target.stop_all(wait=5.0)
        if callable(self.previous):
            self.previous(signum, frame)
        elif self.previous != signal.SIG_IGN:  # the default: end as SIGTERM would
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)
