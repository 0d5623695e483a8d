"""The experiment tab's sweeps: specified in the browser, run by the batch engine.

Plain Python (no Solara), so it is tested without a browser. One
:class:`Scheduler` serves the whole server: it runs at most ``slots`` sweeps at
once, each in one worker process, and queues the rest in order.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.stats import group_means
from ..batch.sweep import Sweep, SweepCancelledError, SweepError, run_sweep
from ..engine.metrics import METRICS
from ..scenario import Scenario, load_scenario

__all__ = ["MAX_RUNS", "ExperimentSpec", "Job", "Scheduler", "scheduler"]

#: A session's sweep may have at most this many runs (points x replicates).
MAX_RUNS = 400
#: ... and at most this many points per factor level, and replicates per point.
MAX_POINTS = 11
MAX_REPLICATES = 50
#: Sweep workers run at this lower CPU priority: playing and drawing come first.
NICE = 15


def _whole(path: str, scenario: Scenario) -> bool:
    value = scenario.get(path)
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class ExperimentSpec:
    """One lever over a range, an optional second factor, replicates, an outcome metric."""

    scenario: str
    lever: str
    low: float
    high: float
    points: int = 5
    factor: str | None = None
    factor_values: list[Any] = field(default_factory=list)
    replicates: int = 10
    metric: str = "knowledge"
    seed: int = 0

    @property
    def path(self) -> str:
        """The lever's scenario path."""
        return f"leadership.{self.lever}"

    def load(self) -> Scenario:
        """The scenario the sweep runs."""
        return load_scenario(self.scenario)

    def values(self, scenario: Scenario | None = None) -> list[Any]:
        """The lever's values: ``points`` evenly spaced (whole numbers for whole-number levers)."""
        scenario = scenario or self.load()
        raw = np.linspace(self.low, self.high, self.points)
        if _whole(self.path, scenario):
            return list(dict.fromkeys(round(float(v)) for v in raw))
        return [round(float(v), 12) for v in raw]

    def sweep_points(self, scenario: Scenario | None = None) -> list[dict[str, Any]]:
        """The grid: the factor varies slowest, like ``orgabm sweep --vary F --vary L``."""
        values = self.values(scenario)
        if not self.factor:
            return [{self.path: v} for v in values]
        return [{self.factor: f, self.path: v} for f in self.factor_values for v in values]

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.points * max(1, len(self.factor_values) if self.factor else 1) * self.replicates

    def check(self) -> Scenario:
        """The scenario, or ValueError naming what is not allowed (open levers, caps)."""
        scenario = self.load()
        task = scenario.assignment
        if task is not None:
            if self.lever not in task.open:
                raise ValueError(f"{self.lever} is locked in this assignment "
                                 f"(open: {', '.join(task.open)})")  # fmt: skip
            low, high = task.open[self.lever]
            if not low <= self.low <= self.high <= high:
                raise ValueError(f"{self.lever} may range over [{low:g}, {high:g}] here")
            if self.factor and self.factor not in task.factor_choices():
                raise ValueError(f"{self.factor} is not a factor of this assignment")
        if not self.low <= self.high:
            raise ValueError(f"the range's low end {self.low:g} is above its high end "
                             f"{self.high:g}")  # fmt: skip
        if not 2 <= self.points <= MAX_POINTS:
            raise ValueError(f"points: 2 to {MAX_POINTS}")
        if not 1 <= self.replicates <= MAX_REPLICATES:
            raise ValueError(f"replicates: 1 to {MAX_REPLICATES}")
        if self.factor and not self.factor_values:
            raise ValueError(f"give the values of the second factor {self.factor}")
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}")
        if self.runs > MAX_RUNS:
            raise ValueError(f"{self.runs} runs: at most {MAX_RUNS} per experiment on this "
                             "server; use fewer points or replicates")  # fmt: skip
        return scenario

    def command(self, scenario_file: str = "scenario.yaml", out: str = "experiment") -> str:
        """The ``orgabm sweep`` command that reproduces this experiment's numbers."""
        scenario = self.load()
        parts = ["orgabm sweep", scenario_file]
        if self.factor:
            parts.append(f"--vary {self.factor}={','.join(map(repr, self.factor_values))}")
        parts.append(f"--vary {self.path}={','.join(map(repr, self.values(scenario)))}")
        parts += [f"--reps {self.replicates}", f"--seed {self.seed}", f"--out {out}"]
        return " ".join(parts)


class Job:
    """One experiment: queued, running, done, cancelled or failed."""

    def __init__(self, spec: ExperimentSpec, scenario: Scenario) -> None:
        self.spec, self.scenario = spec, scenario
        self.sweep = Sweep.build(scenario, spec.sweep_points(scenario), reps=spec.replicates,
                                 seed=spec.seed, spec={"experiment": asdict(spec)})  # fmt: skip
        self.state = "queued"
        self.done, self.total = 0, self.sweep.size
        self.error: str | None = None
        self.runs: pd.DataFrame | None = None
        self.seconds = 0.0
        self.cancelled = threading.Event()
        self.folder = Path(tempfile.mkdtemp(prefix="orgabm-experiment-"))
        # the results are read into memory when done: the folder goes with the job
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def run(self) -> None:
        """Run the sweep (in the calling thread) with one worker process."""
        if self.cancelled.is_set():
            self.state = "cancelled"
            return
        self.state = "running"
        started = time.perf_counter()
        try:
            run_sweep(self.sweep, self.folder, workers=1, progress=False, nice=NICE,
                      on_progress=self._progress, cancel=self.cancelled)  # fmt: skip
            from ..batch.store import Store

            self.runs = Store(self.folder).runs()
            self.state = "done"
        except SweepCancelledError:
            self.state = "cancelled"
        except (SweepError, OSError) as exc:
            self.state, self.error = "failed", str(exc)
        finally:
            self.seconds = time.perf_counter() - started

    def cancel(self) -> None:
        """Stop it (its worker is killed); a queued job never starts."""
        self.cancelled.set()
        if self.state == "queued":
            self.state = "cancelled"

    def discard(self) -> None:
        """Cancel, and delete its folder."""
        self.cancel()
        shutil.rmtree(self.folder, ignore_errors=True)

    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of the metric for each point (factor level, lever value)."""
        if self.runs is None or self.runs.empty:
            return pd.DataFrame()
        spec = self.spec
        by = [spec.factor, spec.path] if spec.factor else [spec.path]
        return group_means(self.runs, by, [spec.metric]).drop(columns="metric")

    def manifest(self) -> dict[str, Any]:
        """What the teacher needs to reproduce the numbers."""
        from ..version import versions

        task = self.scenario.assignment
        named = None if task is None else {"name": self.scenario.name, "title": task.title}
        return {
            "assignment": named,
            "experiment": asdict(self.spec),
            "reproduce": self.spec.command(),
            "seeds": "run r of a point uses derive_seed(seed, hash(point), r); see runs.csv",
            "runs": self.sweep.size,
            "seconds": round(self.seconds, 2),
            "versions": versions(),
        }

    def export(self) -> bytes:
        """A zip: runs.csv (one row per run, with its seed), summary.csv, manifest, scenario."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            runs = self.runs if self.runs is not None else pd.DataFrame()
            archive.writestr("runs.csv", runs.to_csv(index=False))
            archive.writestr("summary.csv", self.summary().to_csv(index=False))
            archive.writestr("manifest.json", json.dumps(self.manifest(), indent=2))
            archive.writestr("scenario.yaml", self.scenario.to_yaml())
        return buffer.getvalue()


class Scheduler:
    """Runs experiments for the whole server: ``slots`` at once, the rest queued in order."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self.queue: list[Job] = []
        self.running: list[Job] = []
        self.lock = threading.Condition()
        self.thread: threading.Thread | None = None
        #: told True when a sweep starts and False when it ends (the dashboard's pacing)
        self.on_busy: Callable[[bool], None] | None = None

    def submit(self, spec: ExperimentSpec) -> Job:
        """Check the spec (ValueError if not allowed) and queue its job."""
        job = Job(spec, spec.check())
        with self.lock:
            self.queue.append(job)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._serve, daemon=True,
                                               name="orgabm-experiments")  # fmt: skip
                self.thread.start()
            self.lock.notify_all()
        return job

    def position(self, job: Job) -> int | None:
        """1 for the next to start; None if it is not waiting."""
        with self.lock:
            waiting = [j for j in self.queue if j.state == "queued"]
            return waiting.index(job) + 1 if job in waiting else None

    def _serve(self) -> None:
        while True:
            with self.lock:
                self.queue = [j for j in self.queue if j.state == "queued"]
                while not self.queue or len(self.running) >= self.slots:
                    if not self.lock.wait(timeout=30) and not self.queue and not self.running:
                        self.thread = None
                        return
                    self.queue = [j for j in self.queue if j.state == "queued"]
                job = self.queue.pop(0)
                self.running.append(job)
            threading.Thread(target=self._run, args=(job,), daemon=True).start()

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


#: The server's scheduler; ORGABM_SWEEP_SLOTS sets how many sweeps run at once (default 1).
scheduler = Scheduler(max(1, int(os.environ.get("ORGABM_SWEEP_SLOTS", "1") or 1)))
